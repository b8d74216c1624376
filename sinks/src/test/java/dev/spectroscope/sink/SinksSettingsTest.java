package dev.spectroscope.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spectroscope.events.Severity;
import dev.spectroscope.sink.webhook.WebhookFormat;
import dev.spectroscope.sink.webhook.WebhookTarget;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SinksSettingsTest {

    @TempDir
    Path dir;

    @Test
    void theDocumentedExampleLoadsWithSecretsFromAFileAndTheEnvironment() throws Exception {
        Files.writeString(dir.resolve("slack-url"), "https://hooks.slack.com/services/T000/B000/XXXX\n");
        Files.writeString(dir.resolve("hmac"), "s3cret\n");
        Path yaml = dir.resolve("sinks.yaml");
        Files.writeString(yaml, """
                bootstrapServers: broker:9092
                http: {port: 8080, bind: 0.0.0.0}
                console: {estimates: false}
                archive: {dir: /data/archive, rollBytes: 1048576}
                kafka: {security.protocol: SSL}
                webhooks:
                  - name: chat
                    format: slack
                    urlFile: slack-url
                  - name: pager
                    format: alertmanager
                    url: http://alertmanager:9093/api/v2/alerts
                    secretEnv: PAGER_SECRET
                    minSeverity: warning
                  - name: audit
                    url: https://audit.example/hook
                    secretFile: hmac
                """);
        SinksSettings s = SinksSettings.load(yaml, Map.of("PAGER_SECRET", "from-env")::get);
        assertEquals("broker:9092", s.bootstrapServers());
        assertEquals(8080, s.httpPort());
        assertFalse(s.consoleEstimates());
        assertEquals(Path.of("/data/archive"), s.archiveDir());
        assertEquals("SSL", s.kafka().get("security.protocol"));
        assertEquals(3, s.webhooks().size());
        WebhookTarget chat = s.webhooks().get(0);
        assertEquals(WebhookFormat.SLACK, chat.format());
        assertEquals("https://hooks.slack.com/services/T000/B000/XXXX", chat.url().toString());
        assertFalse(chat.toString().contains("XXXX"), chat.toString());
        assertEquals("from-env", s.webhooks().get(1).secret().orElseThrow());
        assertEquals(Severity.WARNING, s.webhooks().get(1).minSeverity());
        assertEquals("s3cret", s.webhooks().get(2).secret().orElseThrow());
        assertEquals(WebhookFormat.JSON, s.webhooks().get(2).format());
    }

    @Test
    void theDocumentedReferenceFileLoadsAndItsValuesAreTheDefaults() {
        // docs/sinks.yaml lists every key with its default: a key renamed in code breaks this, not a user.
        SinksSettings documented = SinksSettings.load(Path.of("..", "docs", "sinks.yaml"), k -> null);
        assertEquals(SinksSettings.defaults(documented.bootstrapServers()), documented);
    }

    @Test
    void aMisspeltKeyIsAnErrorThatNamesIt() throws Exception {
        Path yaml = dir.resolve("sinks.yaml");
        Files.writeString(yaml, "archive: {enabled: true, rollbytes: 10}\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SinksSettings.load(yaml, k -> null));
        assertTrue(e.getMessage().contains("archive.rollbytes") && e.getMessage().contains("rollBytes"), e.getMessage());
    }

    @Test
    void aSecretWrittenIntoTheFileItselfIsRefused() throws Exception {
        Path yaml = dir.resolve("sinks.yaml");
        Files.writeString(yaml, "webhooks: [{name: a, url: 'http://x/y', secret: hunter2}]\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SinksSettings.load(yaml, k -> null));
        assertTrue(e.getMessage().contains("secretFile"), e.getMessage());
        assertFalse(e.getMessage().contains("hunter2"), e.getMessage());
    }

    @Test
    void aMissingEnvironmentVariableAndAWrongFormatSayWhatToDo() throws Exception {
        Path yaml = dir.resolve("a.yaml");
        Files.writeString(yaml, "webhooks: [{name: a, url: 'http://x/y', secretEnv: NOPE}]\n");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> SinksSettings.load(yaml, k -> null))
                .getMessage().contains("NOPE is not set"));
        Files.writeString(yaml, "webhooks: [{name: a, url: 'http://x/y', format: teams}]\n");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> SinksSettings.load(yaml, k -> null))
                .getMessage().contains("json, slack, alertmanager"));
        Files.writeString(yaml, "webhooks: [{name: a, url: 'http://x/y'}, {name: a, url: 'http://x/z'}]\n");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> SinksSettings.load(yaml, k -> null))
                .getMessage().contains("two webhooks are named 'a'"));
    }
}
