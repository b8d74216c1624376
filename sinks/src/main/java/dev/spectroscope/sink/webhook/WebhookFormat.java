package dev.spectroscope.sink.webhook;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** What a webhook target receives: generic JSON, a Slack incoming-webhook message, or Alertmanager's v4 payload. */
public enum WebhookFormat {
    JSON, SLACK, ALERTMANAGER;

    public static WebhookFormat parse(String text, String where) {
        for (WebhookFormat f : values()) {
            if (f.name().equalsIgnoreCase(text)) {
                return f;
            }
        }
        throw new IllegalArgumentException(where + " is '" + text + "'; use one of "
                + Arrays.stream(values()).map(f -> f.name().toLowerCase(Locale.ROOT)).collect(Collectors.joining(", ")));
    }
}
