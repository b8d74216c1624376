package dev.spectroscope.sink.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.spectroscope.events.Alert;
import dev.spectroscope.events.Severity;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AlertPayloadsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    static Alert alert(boolean resolved) {
        return Alert.newBuilder().setEventId("e-1").setRunId("run-7").setTimestamp(Instant.parse("2026-11-25T10:00:00Z"))
                .setStep(1200L).setSeverity(Severity.WARNING).setKind("phase-transition")
                .setTitle("Run tms: phase transition at steps 800–1400").setText("λ̂ rose from 2.1 to 4.0")
                .setDedupKey("run-7/phase-transition/t1").setResolved(resolved).setLabels(Map.of("signal", "llc"))
                .build();
    }

    @Test
    void alertmanagerGetsAVersion4PayloadThatFiresAndResolves() throws Exception {
        JsonNode firing = JSON.readTree(AlertPayloads.body(WebhookFormat.ALERTMANAGER, alert(false), "rx"));
        assertEquals("4", firing.get("version").asText());
        assertEquals("firing", firing.get("status").asText());
        assertEquals("rx", firing.get("receiver").asText());
        JsonNode a = firing.get("alerts").get(0);
        assertEquals("phase-transition", a.get("labels").get("alertname").asText());
        assertEquals("warning", a.get("labels").get("severity").asText());
        assertEquals("llc", a.get("labels").get("signal").asText());
        assertEquals("2026-11-25T10:00:00Z", a.get("startsAt").asText());
        assertEquals("0001-01-01T00:00:00Z", a.get("endsAt").asText());
        JsonNode resolved = JSON.readTree(AlertPayloads.body(WebhookFormat.ALERTMANAGER, alert(true), "rx"));
        assertEquals("resolved", resolved.get("status").asText());
        assertEquals("2026-11-25T10:00:00Z", resolved.get("alerts").get(0).get("endsAt").asText());
        assertEquals(a.get("fingerprint"), resolved.get("alerts").get(0).get("fingerprint"));
    }

    @Test
    void slackGetsTextForNotificationsAndBlocksForTheLayout() throws Exception {
        JsonNode slack = JSON.readTree(AlertPayloads.body(WebhookFormat.SLACK, alert(false), "rx"));
        assertTrue(slack.get("text").asText().contains("phase transition"), slack.toString());
        assertEquals("header", slack.get("blocks").get(0).get("type").asText());
        assertEquals("section", slack.get("blocks").get(1).get("type").asText());
        assertTrue(slack.get("blocks").get(2).get("elements").get(0).get("text").asText().contains("step 1200"));
    }

    @Test
    void firingAndResolutionAreTwoDeliveriesOfOneDedupKey() throws Exception {
        assertNotEquals(AlertPayloads.deliveryKey(alert(false)), AlertPayloads.deliveryKey(alert(true)));
        JsonNode json = JSON.readTree(AlertPayloads.body(WebhookFormat.JSON, alert(true), "rx"));
        assertEquals("resolved", json.get("status").asText());
        assertEquals("run-7/phase-transition/t1", json.get("dedupKey").asText());
    }

    @Test
    void theSignatureIsHmacSha256AsRfc4231DefinesIt() {
        // RFC 4231, test case 2.
        String signature = new BodySigner("Jefe").sign("what do ya want for nothing?".getBytes(StandardCharsets.UTF_8));
        assertEquals("sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843", signature);
    }

    @Test
    void backoffGrowsWithFullJitterAndHonoursRetryAfter() {
        WebhookTarget t = WebhookTarget.of("t", java.net.URI.create("http://localhost/x"), WebhookFormat.JSON,
                java.util.Optional.empty()).withBackoff(java.time.Duration.ofMillis(100), java.time.Duration.ofSeconds(2));
        WebhookSink sink = new WebhookSink(t, "alerts", java.nio.file.Path.of(System.getProperty("java.io.tmpdir"),
                "spectroscope-backoff-" + System.nanoTime()), new io.micrometer.core.instrument.simple.SimpleMeterRegistry());
        long max1 = 0;
        long max5 = 0;
        for (int i = 0; i < 500; i++) {
            max1 = Math.max(max1, sink.backoff(1, java.time.Duration.ZERO).toMillis());
            max5 = Math.max(max5, sink.backoff(5, java.time.Duration.ZERO).toMillis());
        }
        assertTrue(max1 <= 100 && max1 > 50, "attempt 1 waits up to the initial backoff: " + max1);
        assertTrue(max5 <= 1600 && max5 > 800, "attempt 5 waits up to 16× the initial backoff: " + max5);
        assertEquals(2000, sink.backoff(30, java.time.Duration.ofSeconds(60)).toMillis(), "capped at the maximum");
        assertTrue(sink.backoff(1, java.time.Duration.ofSeconds(1)).toMillis() >= 1000, "never before Retry-After");
        sink.close();
    }
}
