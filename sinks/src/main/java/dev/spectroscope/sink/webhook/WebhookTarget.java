package dev.spectroscope.sink.webhook;

import dev.spectroscope.events.Severity;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;

/**
 * One webhook receiver.
 *
 * @param name           names the target in logs, metrics and its consumer group (never the URL: it may hold a token)
 * @param url            where alerts are POSTed
 * @param format         the body's shape
 * @param secret         HMAC-SHA256 key for the {@code X-Spectroscope-Signature} header, if any
 * @param minSeverity    alerts below this are not sent
 * @param timeout        per request
 * @param initialBackoff first retry delay; doubles per attempt, with full jitter
 * @param maxBackoff     longest retry delay
 * @param giveUpAfter    how long one alert is retried before it goes to the dead-letter topic; zero retries forever
 */
public record WebhookTarget(String name, URI url, WebhookFormat format, Optional<String> secret, Severity minSeverity,
                            Duration timeout, Duration initialBackoff, Duration maxBackoff, Duration giveUpAfter) {

    public WebhookTarget {
        if (name == null || !name.matches("[A-Za-z0-9_-]+")) {
            throw new IllegalArgumentException("webhook name '" + name + "' may only hold letters, digits, '_' and '-'");
        }
        if (url == null || !("http".equals(url.getScheme()) || "https".equals(url.getScheme()))) {
            throw new IllegalArgumentException("webhook '" + name + "' needs an http or https url");
        }
        if (initialBackoff.isNegative() || initialBackoff.isZero() || maxBackoff.compareTo(initialBackoff) < 0) {
            throw new IllegalArgumentException("webhook '" + name + "': initialBackoffMillis must be positive and "
                    + "at most maxBackoffMillis");
        }
        secret = secret == null ? Optional.empty() : secret.filter(s -> !s.isEmpty());
    }

    public static WebhookTarget of(String name, URI url, WebhookFormat format, Optional<String> secret) {
        return new WebhookTarget(name, url, format, secret, Severity.INFO, Duration.ofSeconds(10),
                Duration.ofMillis(500), Duration.ofSeconds(30), Duration.ofHours(1));
    }

    public WebhookTarget withBackoff(Duration initial, Duration max) {
        return new WebhookTarget(name, url, format, secret, minSeverity, timeout, initial, max, giveUpAfter);
    }

    /** The URL as logs may show it: scheme, host and port only (Slack's and others' paths carry the token). */
    public String redactedUrl() {
        return url.getScheme() + "://" + url.getHost() + (url.getPort() > 0 ? ":" + url.getPort() : "") + "/…";
    }

    @Override
    public String toString() {
        return "WebhookTarget[" + name + " " + format + " " + redactedUrl() + (secret.isPresent() ? " signed" : "") + "]";
    }
}
