package dev.spectroscope.sink;

import dev.spectroscope.archive.ArchiveSink;
import dev.spectroscope.dashboard.BoardFeed;
import dev.spectroscope.dashboard.DashboardServer;
import dev.spectroscope.dashboard.RunBoard;
import dev.spectroscope.dashboard.RunGauges;
import dev.spectroscope.sink.console.ConsoleSink;
import dev.spectroscope.sink.webhook.WebhookSink;
import dev.spectroscope.sink.webhook.WebhookTarget;
import dev.spectroscope.topics.Topic;
import dev.spectroscope.topics.TopicCatalogue;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code spectroscope sinks}: starts the configured sinks, each on its own consumer group and thread, the
 * dashboard's feed, and the HTTP server with the dashboard and {@code /metrics}. Closing stops them all,
 * newest first.
 */
public final class SinksApp implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SinksApp.class);

    private final Deque<AutoCloseable> resources = new ArrayDeque<>();
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final RunBoard board;
    private DashboardServer server;
    private BoardFeed feed;

    private SinksApp(SinksSettings settings) {
        this.board = new RunBoard(settings.maxPoints());
    }

    /** Starts every sink the settings name; console lines go to {@code console}. */
    public static SinksApp start(SinksSettings settings, PrintStream console) throws IOException {
        SinksApp app = new SinksApp(settings);
        try {
            app.startAll(settings, console);
        } catch (IOException | RuntimeException e) {
            app.close();
            throw e;
        }
        return app;
    }

    private void startAll(SinksSettings settings, PrintStream console) throws IOException {
        TopicCatalogue topics = new TopicCatalogue(settings.topicPrefix(), TopicCatalogue.DEFAULT_PARTITIONS);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        resources.push(registry::close);
        try {
            Files.createDirectories(settings.stateDir());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the sinks' state directory " + settings.stateDir(), e);
        }
        DeadLetterPublisher deadLetters = new DeadLetterPublisher(settings.bootstrapServers(), settings.kafka(),
                topics.deadLetters());
        resources.push(deadLetters);

        List<RecordSink> sinks = new ArrayList<>();
        if (settings.console()) {
            sinks.add(new ConsoleSink(topics.alerts().name(), topics.estimates().name(), settings.consoleEstimates(),
                    console));
        }
        if (settings.archive()) {
            List<String> all = topics.all().stream().map(Topic::name).toList();
            sinks.add(new ArchiveSink(settings.archiveDir(), settings.archiveRollBytes(), all, registry));
        }
        for (WebhookTarget target : settings.webhooks()) {
            sinks.add(new WebhookSink(target, topics.alerts().name(), settings.stateDir(), registry));
        }
        for (RecordSink sink : sinks) {
            SinkLoop loop = new SinkLoop(sink, settings, registry, deadLetters);
            resources.push(loop);
            loop.start();
        }

        boolean charts = settings.dashboard() || settings.prometheus();
        if (charts) {
            if (settings.prometheus()) {
                new RunGauges(board, registry);
            }
            List<String> charted = List.of(topics.runs().name(), topics.metrics().name(), topics.probes().name(),
                    topics.estimates().name(), topics.transitions().name(), topics.alerts().name());
            feed = new BoardFeed(settings.bootstrapServers(), settings.kafka(), charted, board, registry);
            resources.push(feed);
            feed.start();
        }
        if (settings.httpPort() >= 0 && charts) {
            BoardFeed f = feed;
            server = new DashboardServer(settings.httpBind(), settings.httpPort(), settings.dashboard() ? board : null,
                    settings.prometheus() ? registry : null, f::caughtUp);
            resources.push(server);
        }
        LOG.info("Sinks running: {}{}", sinks.stream().map(RecordSink::name).toList(),
                server == null ? "" : "; dashboard and /metrics on http://" + displayHost(settings.httpBind()) + ":"
                        + server.port() + "/");
    }

    private static String displayHost(String bind) {
        return bind.equals("0.0.0.0") ? "localhost" : bind;
    }

    /** The HTTP server's port, or -1 when it is off. */
    public int httpPort() {
        return server == null ? -1 : server.port();
    }

    public RunBoard board() {
        return board;
    }

    /** Whether the dashboard's feed has read everything that was in the topics at start. */
    public boolean caughtUp() {
        return feed == null || feed.caughtUp();
    }

    @Override
    public void close() {
        while (!resources.isEmpty()) {
            try {
                resources.pop().close();
            } catch (Exception e) {
                LOG.warn("Stopping a sink failed: {}", e.getMessage());
            }
        }
    }
}
