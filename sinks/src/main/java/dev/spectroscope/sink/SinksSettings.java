package dev.spectroscope.sink;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.spectroscope.events.Severity;
import dev.spectroscope.sink.webhook.WebhookFormat;
import dev.spectroscope.sink.webhook.WebhookTarget;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Everything {@code spectroscope sinks} is configured by, with defaults that work on a laptop. Read from a
 * YAML file ({@code --config sinks.yaml}; {@code docs/sinks.yaml} documents every key); command-line flags
 * override the file. Secrets and URLs with tokens come from files or environment variables, never from the
 * command line.
 *
 * @param bootstrapServers Kafka to read from
 * @param topicPrefix      prefix of the catalogue's topics
 * @param groupPrefix      each sink's consumer group is {@code <groupPrefix>-<sink>}
 * @param stateDir         where sinks keep what must survive a restart (the webhooks' delivery ledgers)
 * @param httpBind         address the dashboard and {@code /metrics} listen on
 * @param httpPort         their port; 0 picks a free one, -1 turns the HTTP server (and so the dashboard) off
 * @param console          print alerts and estimates, one line each
 * @param consoleEstimates include LlcEstimate and DosEstimate lines, not only alerts
 * @param archive          write every event of every run to per-run Avro files
 * @param archiveDir       where those files go ({@code <dir>/<run>/events-000001.avro}, ...)
 * @param archiveRollBytes size at which an archive file is closed and the next begun
 * @param dashboard        serve the live dashboard on the HTTP server
 * @param maxPoints        most points the dashboard keeps per series and run (older ones are thinned)
 * @param prometheus       serve {@code /metrics} on the HTTP server
 * @param webhooks         webhook targets, each its own consumer group
 * @param kafka            further Kafka client properties, passed through (TLS, SASL, ...)
 */
public record SinksSettings(String bootstrapServers, String topicPrefix, String groupPrefix, Path stateDir,
                            String httpBind, int httpPort, boolean console, boolean consoleEstimates, boolean archive,
                            Path archiveDir, long archiveRollBytes, boolean dashboard, int maxPoints,
                            boolean prometheus, List<WebhookTarget> webhooks, Map<String, String> kafka) {

    public static final int DEFAULT_HTTP_PORT = 7070;
    public static final String DEFAULT_GROUP_PREFIX = "spectroscope-sinks";
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    public SinksSettings {
        if (bootstrapServers == null || bootstrapServers.isBlank()) {
            throw new IllegalArgumentException("bootstrapServers is required (--bootstrap-servers host:port)");
        }
        if (httpPort < -1 || httpPort > 65535) {
            throw new IllegalArgumentException("http.port must be a port, 0 (any) or -1 (off), was " + httpPort);
        }
        if (archiveRollBytes < 4096) {
            throw new IllegalArgumentException("archive.rollBytes must be at least 4096, was " + archiveRollBytes);
        }
        if (maxPoints < 100) {
            throw new IllegalArgumentException("dashboard.maxPoints must be at least 100, was " + maxPoints);
        }
        Set<String> names = new HashSet<>();
        for (WebhookTarget w : webhooks) {
            if (!names.add(w.name())) {
                throw new IllegalArgumentException("two webhooks are named '" + w.name() + "'; names must differ");
            }
        }
        webhooks = List.copyOf(webhooks);
        kafka = Map.copyOf(kafka);
    }

    public static SinksSettings defaults(String bootstrapServers) {
        return new SinksSettings(bootstrapServers, "spectroscope.", DEFAULT_GROUP_PREFIX,
                Path.of("spectroscope-data", "sinks"), "127.0.0.1", DEFAULT_HTTP_PORT, true, true, true,
                Path.of("spectroscope-data", "archive"), 64L << 20, true, 5000, true, List.of(), Map.of());
    }

    /** Reads a YAML file; keys left out keep their defaults, unknown keys are an error. */
    public static SinksSettings load(Path file, Function<String, String> env) {
        JsonNode root;
        try {
            root = YAML.readTree(file.toFile());
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read the sinks configuration " + file + ": " + e.getMessage());
        }
        try {
            return parse(root, env, file.toAbsolutePath().getParent());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage());
        }
    }

    static SinksSettings parse(JsonNode root, Function<String, String> env, Path base) {
        SinksSettings d = defaults("127.0.0.1:9092");
        ConfigReader top = new ConfigReader(root, "");
        String bootstrap = top.text("bootstrapServers", d.bootstrapServers);
        String prefix = top.text("topicPrefix", d.topicPrefix);
        String groups = top.text("groupPrefix", d.groupPrefix);
        Path state = Path.of(top.text("stateDir", d.stateDir.toString()));
        Map<String, String> kafka = top.strings("kafka");

        ConfigReader http = top.section("http");
        String bind = http.text("bind", d.httpBind);
        int port = (int) http.number("port", d.httpPort);
        http.rejectUnknownKeys();

        ConfigReader console = top.section("console");
        boolean consoleOn = console.flag("enabled", d.console);
        boolean estimates = console.flag("estimates", d.consoleEstimates);
        console.rejectUnknownKeys();

        ConfigReader archive = top.section("archive");
        boolean archiveOn = archive.flag("enabled", d.archive);
        Path archiveDir = Path.of(archive.text("dir", d.archiveDir.toString()));
        long roll = archive.number("rollBytes", d.archiveRollBytes);
        archive.rejectUnknownKeys();

        ConfigReader dash = top.section("dashboard");
        boolean dashOn = dash.flag("enabled", d.dashboard);
        int points = (int) dash.number("maxPoints", d.maxPoints);
        dash.rejectUnknownKeys();

        ConfigReader prom = top.section("prometheus");
        boolean promOn = prom.flag("enabled", d.prometheus);
        prom.rejectUnknownKeys();

        List<WebhookTarget> hooks = new ArrayList<>();
        for (ConfigReader w : top.list("webhooks")) {
            hooks.add(webhook(w, env, base));
        }
        top.rejectUnknownKeys();
        return new SinksSettings(bootstrap, prefix, groups, state, bind, port, consoleOn, estimates, archiveOn,
                archiveDir, roll, dashOn, points, promOn, hooks, kafka);
    }

    private static WebhookTarget webhook(ConfigReader w, Function<String, String> env, Path base) {
        String name = w.text("name", null);
        if (name == null) {
            throw new IllegalArgumentException(w.where("name") + " is required");
        }
        String url = secretValue(w, "url", env, base).orElseThrow(() -> new IllegalArgumentException(
                "webhook '" + name + "' needs one of url, urlFile or urlEnv"));
        WebhookFormat format = WebhookFormat.parse(w.text("format", "json"), w.where("format"));
        Optional<String> secret = secretValue(w, "secret", env, base);
        String severity = w.text("minSeverity", "INFO").toUpperCase(Locale.ROOT);
        Severity min;
        try {
            min = Severity.valueOf(severity);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(w.where("minSeverity") + " is '" + severity
                    + "'; use INFO, WARNING or CRITICAL");
        }
        Duration timeout = Duration.ofSeconds(w.number("timeoutSeconds", 10));
        Duration initial = Duration.ofMillis(w.number("initialBackoffMillis", 500));
        Duration max = Duration.ofMillis(w.number("maxBackoffMillis", 30_000));
        Duration giveUp = Duration.ofSeconds(w.number("giveUpAfterSeconds", 3600));
        w.rejectUnknownKeys();
        URI uri;
        try {
            uri = URI.create(url.strip());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("webhook '" + name + "' has a url that is not a URI");
        }
        return new WebhookTarget(name, uri, format, secret, min, timeout, initial, max, giveUp);
    }

    /**
     * A value given inline ({@code secret}), in a file ({@code secretFile}) or in an environment variable
     * ({@code secretEnv}); at most one of them. The inline form is allowed for URLs only.
     */
    private static Optional<String> secretValue(ConfigReader w, String key, Function<String, String> env, Path base) {
        String inline = w.text(key, null);
        String file = w.text(key + "File", null);
        String var = w.text(key + "Env", null);
        int given = (inline != null ? 1 : 0) + (file != null ? 1 : 0) + (var != null ? 1 : 0);
        if (given > 1) {
            throw new IllegalArgumentException(w.where(key) + ": give one of " + key + ", " + key + "File, " + key + "Env");
        }
        if (inline != null) {
            if (key.equals("secret")) {
                throw new IllegalArgumentException(w.where(key) + ": put the secret in a file (secretFile) or an "
                        + "environment variable (secretEnv), not in the configuration itself");
            }
            return Optional.of(inline);
        }
        if (file != null) {
            Path p = base == null ? Path.of(file) : base.resolve(file);
            try {
                return Optional.of(Files.readString(p, StandardCharsets.UTF_8).strip());
            } catch (IOException e) {
                throw new IllegalArgumentException(w.where(key + "File") + ": cannot read " + p + " (" + e.getClass()
                        .getSimpleName() + ")");
            }
        }
        if (var != null) {
            String value = env.apply(var);
            if (value == null || value.isBlank()) {
                throw new IllegalArgumentException(w.where(key + "Env") + ": the environment variable " + var
                        + " is not set");
            }
            return Optional.of(value.strip());
        }
        return Optional.empty();
    }

    public SinksSettings withBootstrapServers(String servers) {
        return new SinksSettings(servers, topicPrefix, groupPrefix, stateDir, httpBind, httpPort, console,
                consoleEstimates, archive, archiveDir, archiveRollBytes, dashboard, maxPoints, prometheus, webhooks,
                kafka);
    }

    public SinksSettings withHttpPort(int port) {
        return new SinksSettings(bootstrapServers, topicPrefix, groupPrefix, stateDir, httpBind, port, console,
                consoleEstimates, archive, archiveDir, archiveRollBytes, dashboard, maxPoints, prometheus, webhooks,
                kafka);
    }

    public SinksSettings withDirs(Path state, Path archiveDirectory) {
        return new SinksSettings(bootstrapServers, topicPrefix, groupPrefix, state, httpBind, httpPort, console,
                consoleEstimates, archive, archiveDirectory, archiveRollBytes, dashboard, maxPoints, prometheus,
                webhooks, kafka);
    }

    public SinksSettings withGroupPrefix(String prefix) {
        return new SinksSettings(bootstrapServers, topicPrefix, prefix, stateDir, httpBind, httpPort, console,
                consoleEstimates, archive, archiveDir, archiveRollBytes, dashboard, maxPoints, prometheus, webhooks,
                kafka);
    }

    public SinksSettings withWebhooks(List<WebhookTarget> targets) {
        return new SinksSettings(bootstrapServers, topicPrefix, groupPrefix, stateDir, httpBind, httpPort, console,
                consoleEstimates, archive, archiveDir, archiveRollBytes, dashboard, maxPoints, prometheus, targets,
                kafka);
    }

    /** Turns sinks on or off: console, archive, dashboard, prometheus. */
    public SinksSettings withSinks(boolean consoleOn, boolean archiveOn, boolean dashboardOn, boolean prometheusOn) {
        return new SinksSettings(bootstrapServers, topicPrefix, groupPrefix, stateDir, httpBind, httpPort, consoleOn,
                consoleEstimates, archiveOn, archiveDir, archiveRollBytes, dashboardOn, maxPoints, prometheusOn,
                webhooks, kafka);
    }

    /** Kafka client properties for every client of the app (TLS, SASL, ...). */
    public SinksSettings withKafka(Map<String, String> properties) {
        return new SinksSettings(bootstrapServers, topicPrefix, groupPrefix, stateDir, httpBind, httpPort, console,
                consoleEstimates, archive, archiveDir, archiveRollBytes, dashboard, maxPoints, prometheus, webhooks,
                properties);
    }
}
