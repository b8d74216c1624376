package dev.spectroscope.sink.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.spectroscope.broker.EmbeddedKafkaExtension;
import dev.spectroscope.events.Alert;
import dev.spectroscope.events.DeadLetter;
import dev.spectroscope.events.Severity;
import dev.spectroscope.sink.SinksApp;
import dev.spectroscope.sink.SinksSettings;
import dev.spectroscope.topics.TopicScan;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Issue 6, point 1: a receiver that is down for the first 20 seconds and then answers 503 twice receives every
 * alert exactly once in each of the three formats, signed; a restart delivers nothing twice; a receiver that
 * refuses (4xx) gets each alert once and the alert goes to the dead-letter topic; neither the secret nor the
 * URL's token appears in any log line.
 */
class WebhookDeliveryTest {

    @RegisterExtension
    static final EmbeddedKafkaExtension KAFKA = new EmbeddedKafkaExtension();

    private static final String SECRET = "wh-secret-9f8e7d6c";
    private static final String TOKEN = "T0KEN-abc123";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    record Received(String path, byte[] body, String signature, String deliveryKey) {
    }

    @Test
    void everyAlertArrivesOnceInEachFormatThroughAnOutageAndARestart() throws Exception {
        ListAppender<ILoggingEvent> logs = new ListAppender<>();
        logs.start();
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.addAppender(logs);

        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        List<WebhookTarget> targets = new ArrayList<>();
        for (String[] t : new String[][]{{"generic", "json", "json"}, {"chat", "slack", "slack"},
                {"pager", "alertmanager", "am"}, {"strict", "json", "refuse"}}) {
            URI url = URI.create("http://127.0.0.1:" + port + "/" + t[2] + "/" + TOKEN);
            targets.add(WebhookTarget.of(t[0], url, WebhookFormat.parse(t[1], "format"), Optional.of(SECRET))
                    .withBackoff(Duration.ofMillis(200), Duration.ofSeconds(1)));
        }
        List<Alert> alerts = List.of(
                alert("a1", "run-1/phase-transition/1", false, Severity.INFO),
                alert("a2", "run-1/unstable-llc", false, Severity.WARNING),
                alert("a3", "run-1/unstable-llc", true, Severity.INFO),
                alert("a4", "run-1/phase-transition/1", false, Severity.INFO), // the same alert raised again
                alert("a5", "run-1/nan-loss", false, Severity.CRITICAL));
        int distinct = 4;
        publish(alerts);

        SinksSettings settings = SinksSettings.defaults(KAFKA.bootstrapServers()).withSinks(false, false, false, false)
                .withHttpPort(-1).withDirs(dir.resolve("state"), dir.resolve("archive")).withGroupPrefix("wh-test")
                .withWebhooks(targets);
        List<Received> received = new CopyOnWriteArrayList<>();
        Map<String, AtomicInteger> requests = new ConcurrentHashMap<>();
        long started = System.nanoTime();
        HttpServer receiver;
        try (SinksApp app = SinksApp.start(settings, new PrintStream(new ByteArrayOutputStream()))) {
            Thread.sleep(20_000); // the receiver is down: connection refused
            receiver = receiver(port, received, requests);
            awaitCount(received, "/json/", distinct);
            awaitCount(received, "/slack/", distinct);
            awaitCount(received, "/am/", distinct);
            awaitRequests(requests, "refuse", 2 + distinct);
        }
        assertTrue(System.nanoTime() - started > 20e9);
        for (String format : List.of("json", "slack", "am")) {
            List<Received> ok = received.stream().filter(r -> r.path().startsWith("/" + format + "/")).toList();
            assertEquals(distinct, ok.size(), format + ": one delivery per alert, after two 503s: " + ok);
            assertEquals(distinct, ok.stream().map(Received::deliveryKey).distinct().count(), format);
            for (Received r : ok) {
                assertEquals(hmac(r.body()), r.signature(), format + " body's HMAC verifies");
                JsonNode body = JSON.readTree(r.body());
                switch (format) {
                    case "json" -> assertTrue(body.has("dedupKey") && body.has("status"), body.toString());
                    case "slack" -> assertTrue(body.has("text") && body.get("blocks").isArray(), body.toString());
                    default -> assertEquals("4", body.get("version").asText(), body.toString());
                }
            }
            assertEquals(distinct + 2, requests.get(format).get(), format + ": two 503s, then each alert once");
        }
        assertEquals(2 + distinct, requests.get("refuse").get(), "a refusal is not retried");
        // The refusing receiver got each distinct alert once, without retries; each became a dead letter.
        List<DeadLetter> dead = awaitDeadLetters(distinct);
        assertEquals(distinct, dead.size(), dead.toString());
        assertTrue(dead.stream().allMatch(d -> d.getErrorType().equals("webhook-refused")
                && d.getApplication().equals("sinks/webhook-strict") && !d.getReason().contains(TOKEN)), dead.toString());

        // A restart that re-reads the alerts from the start (a new group) delivers nothing twice: the ledger knows.
        int before = received.size();
        try (SinksApp again = SinksApp.start(settings.withGroupPrefix("wh-test-2"),
                new PrintStream(new ByteArrayOutputStream()))) {
            awaitCommitted("wh-test-2", targets, alerts.size());
        }
        assertEquals(2 + distinct, requests.get("refuse").get(), "nor is a refusal repeated after a restart");
        receiver.stop(0);
        assertEquals(before, received.size(), "no alert delivered twice across the restart");

        root.detachAppender(logs);
        for (ILoggingEvent e : logs.list) {
            String line = e.getFormattedMessage() + (e.getThrowableProxy() == null ? ""
                    : ThrowableProxyUtil.asString(e.getThrowableProxy()));
            assertFalse(line.contains(SECRET), "secret logged: " + line);
            assertFalse(line.contains(TOKEN), "URL token logged: " + line);
        }
        assertTrue(logs.list.stream().anyMatch(e -> e.getFormattedMessage().contains("not delivering")),
                "the outage is logged");
    }

    private static HttpServer receiver(int port, List<Received> received, Map<String, AtomicInteger> requests)
            throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
        server.createContext("/", exchange -> {
            String path = exchange.getRequestURI().getPath();
            String format = path.split("/")[1];
            int n = requests.computeIfAbsent(format, k -> new AtomicInteger()).incrementAndGet();
            byte[] body = exchange.getRequestBody().readAllBytes();
            int status;
            if (format.equals("refuse")) {
                status = n <= 2 ? 503 : 400;
            } else if (n <= 2) {
                status = 503;
            } else {
                received.add(new Received(path, body, exchange.getRequestHeaders().getFirst(BodySigner.HEADER),
                        exchange.getRequestHeaders().getFirst(WebhookSink.DELIVERY_HEADER)));
                status = 200;
            }
            byte[] answer = (status == 400 ? "{\"error\":\"bad payload\"}" : "ok").getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status, answer.length);
            exchange.getResponseBody().write(answer);
            exchange.close();
        });
        server.start();
        return server;
    }

    private static Alert alert(String id, String key, boolean resolved, Severity severity) {
        return Alert.newBuilder().setEventId(id).setRunId("run-1").setTimestamp(Instant.now()).setStep(100L)
                .setSeverity(severity).setKind(key.split("/")[1]).setTitle("alert " + key).setText("")
                .setDedupKey(key).setResolved(resolved).build();
    }

    private static void publish(List<Alert> alerts) {
        var topic = KAFKA.catalogue().alerts();
        try (KafkaProducer<String, Alert> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers()), topic.keySerde().serializer(),
                topic.valueSerde().serializer())) {
            for (Alert a : alerts) {
                producer.send(new ProducerRecord<>(topic.name(), a.getRunId(), a));
            }
        }
    }

    private static String hmac(byte[] body) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body));
    }

    private static void awaitCount(List<Received> received, String prefix, int n) throws InterruptedException {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (received.stream().filter(r -> r.path().startsWith(prefix)).count() < n && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        Thread.sleep(500); // a duplicate, if any, would arrive now
    }

    private static void awaitRequests(Map<String, AtomicInteger> requests, String format, int n)
            throws InterruptedException {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while ((requests.get(format) == null || requests.get(format).get() < n) && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        Thread.sleep(500);
    }

    /** Waits until every webhook group of the app has committed offsets past all the alerts. */
    private static void awaitCommitted(String groupPrefix, List<WebhookTarget> targets, int records) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers()))) {
            long deadline = System.nanoTime() + 30_000_000_000L;
            for (WebhookTarget t : targets) {
                String group = groupPrefix + "-webhook-" + t.name();
                long committed = 0;
                while (committed < records && System.nanoTime() < deadline) {
                    Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(group)
                            .partitionsToOffsetAndMetadata().get();
                    committed = offsets.values().stream().filter(java.util.Objects::nonNull)
                            .mapToLong(OffsetAndMetadata::offset).sum();
                    Thread.sleep(200);
                }
                assertEquals(records, committed, group + " read every alert");
            }
        }
    }

    private static List<DeadLetter> awaitDeadLetters(int n) throws InterruptedException {
        long deadline = System.nanoTime() + 30_000_000_000L;
        List<DeadLetter> found = List.of();
        while (System.nanoTime() < deadline) {
            found = TopicScan.readEvents(KAFKA.bootstrapServers(), KAFKA.catalogue().deadLetters().name(),
                    Duration.ofSeconds(10)).stream().map(DeadLetter.class::cast).toList();
            if (found.size() >= n) {
                break;
            }
            Thread.sleep(200);
        }
        return found;
    }
}
