package dev.spectroscope.sink.webhook;

import dev.spectroscope.events.Alert;
import dev.spectroscope.sink.RecordSink;
import dev.spectroscope.sink.SinkContext;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * POSTs every alert to one receiver, in order, exactly once: retried with exponential backoff and full jitter
 * while the receiver is unreachable or answers 5xx, 408 or 429 (honouring Retry-After); a 4xx refusal is
 * logged and dead-lettered; the delivery ledger keeps a restart from repeating a delivery. Logs name the
 * target, never its URL path (tokens live there) or its secret.
 */
public final class WebhookSink implements RecordSink {

    private static final Logger LOG = LoggerFactory.getLogger(WebhookSink.class);
    private static final int LEDGER_CAPACITY = 100_000;
    public static final String DELIVERY_HEADER = "X-Spectroscope-Delivery";

    private final WebhookTarget target;
    private final String topic;
    private final HttpClient http;
    private final Optional<BodySigner> signer;
    private final DeliveryLedger ledger;
    private final Counter delivered;
    private final Counter retried;
    private final Counter refused;
    private final Counter duplicates;
    private boolean outage;

    public WebhookSink(WebhookTarget target, String alertsTopic, Path stateDir, MeterRegistry registry) {
        this.target = target;
        this.topic = alertsTopic;
        this.http = HttpClient.newBuilder().connectTimeout(target.timeout()).build();
        this.signer = target.secret().map(BodySigner::new);
        this.ledger = new DeliveryLedger(stateDir.resolve("webhook-" + target.name() + ".delivered"), LEDGER_CAPACITY);
        this.delivered = counter(registry, "delivered");
        this.retried = counter(registry, "retried");
        this.refused = counter(registry, "refused");
        this.duplicates = counter(registry, "duplicate");
    }

    private Counter counter(MeterRegistry registry, String outcome) {
        return Counter.builder("spectroscope.webhook.deliveries").tag("target", target.name())
                .tag("format", target.format().name().toLowerCase(java.util.Locale.ROOT)).tag("outcome", outcome)
                .description("Webhook delivery attempts by outcome").register(registry);
    }

    @Override
    public String name() {
        return "webhook-" + target.name();
    }

    @Override
    public List<String> topics() {
        return List.of(topic);
    }

    @Override
    public void accept(List<SinkRecord> batch, SinkContext context) throws InterruptedException {
        for (SinkRecord record : batch) {
            if (!context.running()) {
                return;
            }
            if (record.event() instanceof Alert alert
                    && alert.getSeverity().ordinal() >= target.minSeverity().ordinal()) {
                deliver(record, alert, context);
            }
        }
    }

    private void deliver(SinkRecord record, Alert alert, SinkContext context) throws InterruptedException {
        String key = AlertPayloads.deliveryKey(alert);
        if (ledger.contains(key)) {
            duplicates.increment();
            return;
        }
        byte[] body = AlertPayloads.body(target.format(), alert, "spectroscope-" + target.name());
        HttpRequest.Builder request = HttpRequest.newBuilder(target.url())
                .timeout(target.timeout())
                .header("Content-Type", "application/json")
                .header("User-Agent", "spectroscope-sinks")
                .header(DELIVERY_HEADER, key)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        signer.ifPresent(s -> request.header(BodySigner.HEADER, s.sign(body)));
        HttpRequest built = request.build();
        long started = System.nanoTime();
        for (int attempt = 1; context.running(); attempt++) {
            Duration retryAfter = Duration.ZERO;
            String failure;
            try {
                HttpResponse<String> response = http.send(built, HttpResponse.BodyHandlers.ofString());
                int code = response.statusCode();
                if (code >= 200 && code < 300) {
                    ledger.record(key);
                    delivered.increment();
                    if (outage) {
                        LOG.info("Webhook {} delivers again (alert {} after {} attempts)", target.name(), key, attempt);
                        outage = false;
                    }
                    return;
                }
                if (code >= 400 && code < 500 && code != 408 && code != 429) {
                    refused.increment();
                    String reason = "webhook " + target.name() + " refused alert " + key + " with HTTP " + code + ": "
                            + snippet(response.body()) + "; fix the receiver or the target's format, then replay the "
                            + "alert from the dead-letter topic";
                    LOG.warn(reason);
                    context.deadLetter(record, alert.getRunId(), "webhook-refused", reason);
                    ledger.record(key); // decided: the dead letter holds it; the same alert again would be refused
                    return;
                }
                failure = "HTTP " + code;
                retryAfter = retryAfter(response);
            } catch (IOException e) {
                failure = describe(e);
            }
            retried.increment();
            if (!outage) {
                LOG.warn("Webhook {} ({}) not delivering: {}; retrying with backoff", target.name(),
                        target.redactedUrl(), failure);
                outage = true;
            }
            if (!target.giveUpAfter().isZero()
                    && System.nanoTime() - started > target.giveUpAfter().toNanos()) {
                String reason = "webhook " + target.name() + " gave up on alert " + key + " after " + attempt
                        + " attempts over " + target.giveUpAfter().toSeconds() + " s (last: " + failure + ")";
                LOG.warn(reason);
                context.deadLetter(record, alert.getRunId(), "webhook-undeliverable", reason);
                return;
            }
            context.waitAlive(backoff(attempt, retryAfter));
        }
    }

    /** Full jitter: uniform in [0, min(max, initial·2^(attempt-1))], but never before a Retry-After. */
    Duration backoff(int attempt, Duration retryAfter) {
        long cap = target.maxBackoff().toMillis();
        long ceiling = Math.min(cap, target.initialBackoff().toMillis() << Math.min(attempt - 1, 20));
        long jittered = ThreadLocalRandom.current().nextLong(ceiling + 1);
        return Duration.ofMillis(Math.min(cap, Math.max(jittered, retryAfter.toMillis())));
    }

    private static Duration retryAfter(HttpResponse<?> response) {
        return response.headers().firstValue("Retry-After").filter(v -> v.strip().matches("\\d{1,6}"))
                .map(v -> Duration.ofSeconds(Long.parseLong(v.strip()))).orElse(Duration.ZERO);
    }

    private String describe(IOException e) {
        String message = e.getMessage() == null ? "" : ": " + e.getMessage().replace(target.url().toString(),
                target.redactedUrl());
        if (target.url().getRawPath() != null && target.url().getRawPath().length() > 1) {
            message = message.replace(target.url().getRawPath(), "/…");
        }
        return e.getClass().getSimpleName() + message;
    }

    private static String snippet(String body) {
        String s = body == null ? "" : body.strip().replaceAll("\\s+", " ");
        return s.length() > 200 ? s.substring(0, 200) + "…" : (s.isEmpty() ? "(empty body)" : s);
    }

    @Override
    public void close() {
        ledger.close();
    }
}
