package dev.spectroscope.sink.webhook;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.spectroscope.events.Alert;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The body an alert is POSTed as, per {@link WebhookFormat}. */
public final class AlertPayloads {

    private static final ObjectMapper JSON = JsonMapper.builder().build();
    /** Alertmanager's "not ended" timestamp. */
    private static final String ZERO_TIME = "0001-01-01T00:00:00Z";

    private AlertPayloads() {
    }

    public static byte[] body(WebhookFormat format, Alert alert, String receiver) {
        Object body = switch (format) {
            case JSON -> json(alert);
            case SLACK -> slack(alert);
            case ALERTMANAGER -> alertmanager(alert, receiver);
        };
        try {
            return JSON.writeValueAsString(body).getBytes(StandardCharsets.UTF_8);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot render alert " + alert.getEventId() + " as JSON", e);
        }
    }

    /** The delivery's identity: one firing and one resolution per dedup key. */
    public static String deliveryKey(Alert alert) {
        return alert.getDedupKey() + (alert.getResolved() ? "#resolved" : "#firing");
    }

    static Map<String, Object> json(Alert a) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("eventId", a.getEventId());
        m.put("runId", a.getRunId());
        m.put("timestamp", a.getTimestamp().toString());
        m.put("step", a.getStep());
        m.put("severity", a.getSeverity().name());
        m.put("kind", a.getKind());
        m.put("title", a.getTitle());
        m.put("text", a.getText());
        m.put("dedupKey", a.getDedupKey());
        m.put("status", a.getResolved() ? "resolved" : "firing");
        m.put("labels", new TreeMap<>(a.getLabels()));
        return m;
    }

    /** A Slack incoming-webhook message: {@code text} for notifications, {@code blocks} for the layout. */
    static Map<String, Object> slack(Alert a) {
        String icon = a.getResolved() ? ":white_check_mark:" : switch (a.getSeverity()) {
            case CRITICAL -> ":rotating_light:";
            case WARNING -> ":warning:";
            case INFO -> ":information_source:";
        };
        String status = a.getResolved() ? "Resolved: " : "";
        String headline = icon + " " + status + a.getTitle();
        List<Map<String, Object>> blocks = new ArrayList<>();
        blocks.add(Map.of("type", "header", "text", Map.of("type", "plain_text", "text",
                truncate(status + a.getTitle(), 150), "emoji", true)));
        if (!a.getText().isEmpty()) {
            blocks.add(Map.of("type", "section", "text", Map.of("type", "mrkdwn", "text", truncate(a.getText(), 3000))));
        }
        String context = "run `" + a.getRunId() + "`" + (a.getStep() == null ? "" : " · step " + a.getStep())
                + " · " + a.getSeverity() + " · " + a.getKind();
        blocks.add(Map.of("type", "context", "elements", List.of(Map.of("type", "mrkdwn", "text", context))));
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("text", headline);
        m.put("blocks", blocks);
        return m;
    }

    /** Alertmanager's webhook payload, version 4, one alert per message. */
    static Map<String, Object> alertmanager(Alert a, String receiver) {
        Map<String, String> labels = new TreeMap<>(a.getLabels());
        labels.put("alertname", a.getKind());
        labels.put("run_id", a.getRunId());
        labels.put("severity", a.getSeverity().name().toLowerCase(java.util.Locale.ROOT));
        Map<String, String> annotations = new TreeMap<>();
        annotations.put("summary", a.getTitle());
        annotations.put("description", a.getText());
        if (a.getStep() != null) {
            annotations.put("step", Long.toString(a.getStep()));
        }
        String status = a.getResolved() ? "resolved" : "firing";
        Instant at = a.getTimestamp();
        Map<String, Object> alert = new LinkedHashMap<>();
        alert.put("status", status);
        alert.put("labels", labels);
        alert.put("annotations", annotations);
        alert.put("startsAt", a.getResolved() ? ZERO_TIME : at.toString());
        alert.put("endsAt", a.getResolved() ? at.toString() : ZERO_TIME);
        alert.put("generatorURL", "");
        alert.put("fingerprint", Long.toHexString(a.getDedupKey().hashCode() & 0xffffffffL));
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("version", "4");
        m.put("groupKey", "{}:{dedup_key=\"" + a.getDedupKey() + "\"}");
        m.put("truncatedAlerts", 0);
        m.put("status", status);
        m.put("receiver", receiver);
        m.put("groupLabels", Map.of("dedup_key", a.getDedupKey()));
        m.put("commonLabels", labels);
        m.put("commonAnnotations", annotations);
        m.put("externalURL", "");
        m.put("alerts", List.of(alert));
        return m;
    }

    private static String truncate(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max - 1) + "…";
    }
}
