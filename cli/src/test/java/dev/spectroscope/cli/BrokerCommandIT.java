package dev.spectroscope.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.spectroscope.events.EventCodec;
import dev.spectroscope.events.TrainingMetrics;
import dev.spectroscope.topics.TopicCatalogue;
import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/spectroscope broker} as a user runs it, checked with a third-party client (kcat, Debian's
 * package) and with our own Avro Serdes in both directions.
 */
class BrokerCommandIT {

    private static final Path LAUNCHER = Path.of("..", "bin", "spectroscope").toAbsolutePath().normalize();

    @TempDir
    Path work;

    private final List<Process> started = new ArrayList<>();

    @BeforeAll
    static void kcatIsInstalled() {
        assumeTrue(onPath("kcat"), "kcat is not installed (apt-get install kcat); .ci/run installs it");
    }

    @AfterEach
    void stopAll() throws InterruptedException {
        for (Process p : started) {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void kcatProducesAndConsumesOnTheBrokerAndDataSurvivesARestart() throws Exception {
        int port = freePort();
        Path dataDir = work.resolve("kafka");
        String bootstrap = "127.0.0.1:" + port;

        long t0 = System.nanoTime();
        Process broker = startBroker(port, dataDir, "first");
        String metadata = kcat("-b", bootstrap, "-L");
        for (String topic : List.of("spectroscope.runs", "spectroscope.metrics", "spectroscope.checkpoints",
                "spectroscope.probes", "spectroscope.estimates", "spectroscope.transitions", "spectroscope.alerts",
                "spectroscope.dlq", "spectroscope.chains")) {
            assertTrue(metadata.contains("topic \"" + topic + "\""), topic + " missing from kcat -L:\n" + metadata);
        }

        // kcat produces a real Avro event (the file is one message) that our deserializer reads.
        TrainingMetrics event = TrainingMetrics.newBuilder().setEventId(UUID.randomUUID().toString())
                .setRunId("kcat-run").setStep(7).setTimestamp(Instant.ofEpochMilli(1_700_000_000_000L)).setLoss(0.25)
                .build();
        Path file = work.resolve("event.bin");
        Files.write(file, EventCodec.of(TrainingMetrics.class).encode(event));
        kcat("-b", bootstrap, "-P", "-t", "spectroscope.metrics", "-k", "kcat-run", file.toString());
        String consumed = kcat("-b", bootstrap, "-C", "-t", "spectroscope.metrics", "-c", "1", "-e", "-f", "%k %S\\n");
        assertEquals("kcat-run " + Files.size(file), consumed.strip().lines().findFirst().orElse(""));
        double seconds = (System.nanoTime() - t0) / 1e9;
        assertTrue(seconds < 20, "start, list, produce and consume took " + seconds + " s");
        assertEquals(List.of(event), readMetrics(bootstrap, 1));

        // Our producer writes; kcat reads the key back.
        produce(bootstrap, "java-run", 3);
        String keys = kcat("-b", bootstrap, "-C", "-t", "spectroscope.metrics", "-c", "4", "-e", "-f", "%k\\n");
        assertEquals(3, keys.lines().filter("java-run"::equals).count(), keys);

        // SIGTERM shuts it down cleanly, and a restart on the same data dir keeps every record.
        broker.destroy();
        assertTrue(broker.waitFor(15, TimeUnit.SECONDS), "broker did not stop within 15 s of SIGTERM");
        assertTrue(log("first").contains("stopped"), log("first"));
        startBroker(port, dataDir, "second");
        assertEquals(4, readMetrics(bootstrap, 4).size());
    }

    private Process startBroker(int port, Path dataDir, String name) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(LAUNCHER.toString(), "broker", "--port", Integer.toString(port),
                "--data-dir", dataDir.toString());
        pb.redirectErrorStream(true);
        pb.redirectOutput(work.resolve(name + ".log").toFile());
        Process process = pb.start();
        started.add(process);
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            if (log(name).contains("bootstrap.servers=127.0.0.1:" + port)) {
                return process;
            }
            if (!process.isAlive()) {
                break;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("broker not ready within 20 s:\n" + log(name));
    }

    private String log(String name) throws IOException {
        Path file = work.resolve(name + ".log");
        return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
    }

    private static String kcat(String... args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add("kcat");
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(false).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "kcat hung: " + command);
        assertEquals(0, p.exitValue(), "kcat failed: " + command + "\n" + err);
        return out;
    }

    private static void produce(String bootstrap, String runId, int count) {
        TopicCatalogue catalogue = new TopicCatalogue();
        try (KafkaProducer<String, TrainingMetrics> producer = new KafkaProducer<>(
                Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap), catalogue.metrics().keySerde().serializer(),
                catalogue.metrics().valueSerde().serializer())) {
            for (int step = 0; step < count; step++) {
                producer.send(new ProducerRecord<>(catalogue.metrics().name(), runId, TrainingMetrics.newBuilder()
                        .setEventId(UUID.randomUUID().toString()).setRunId(runId).setStep(step)
                        .setTimestamp(Instant.now()).setLoss(1.0).build()));
            }
        }
    }

    private static List<TrainingMetrics> readMetrics(String bootstrap, int expected) {
        TopicCatalogue catalogue = new TopicCatalogue();
        List<TrainingMetrics> out = new ArrayList<>();
        try (KafkaConsumer<String, TrainingMetrics> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ConsumerConfig.GROUP_ID_CONFIG,
                "it-" + UUID.randomUUID(), ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
                catalogue.metrics().keySerde().deserializer(), catalogue.metrics().valueSerde().deserializer())) {
            consumer.subscribe(List.of(catalogue.metrics().name()));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (out.size() < expected && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, TrainingMetrics> r : consumer.poll(Duration.ofMillis(200))) {
                    out.add(r.value());
                }
            }
        }
        return out;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static boolean onPath(String program) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, program))) {
                return true;
            }
        }
        return false;
    }
}
