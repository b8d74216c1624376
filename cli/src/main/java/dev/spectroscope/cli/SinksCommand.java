package dev.spectroscope.cli;

import dev.spectroscope.broker.TopicCreator;
import dev.spectroscope.sink.SinksApp;
import dev.spectroscope.sink.SinksSettings;
import dev.spectroscope.topics.TopicCatalogue;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code spectroscope sinks}: console, archive, webhooks, the dashboard and /metrics. */
@Command(name = "sinks", mixinStandardHelpOptions = true,
        description = "Console, archive, webhooks, dashboard, /metrics.")
final class SinksCommand implements Callable<Integer> {

    @Option(names = "--bootstrap-servers", description = "Kafka, host:port[,host:port] (overrides the file).")
    String bootstrapServers;

    @Option(names = "--config", description = "YAML settings (docs/sinks.yaml documents every key).")
    Path config;

    @Option(names = "--http-port", description = "Port of the dashboard and /metrics; 0 any, -1 none "
            + "(default 7070, or the file's http.port).")
    Integer httpPort;

    @Option(names = "--archive-dir", description = "Where the archive goes (default spectroscope-data/archive).")
    Path archiveDir;

    @picocli.CommandLine.Mixin
    KafkaClientOptions kafkaClient = new KafkaClientOptions();

    @Override
    public Integer call() throws Exception {
        SinksSettings settings = config == null ? SinksSettings.defaults(bootstrapServers == null ? "127.0.0.1:9092"
                : bootstrapServers) : SinksSettings.load(config, System::getenv);
        if (bootstrapServers != null) {
            settings = settings.withBootstrapServers(bootstrapServers);
        }
        if (httpPort != null) {
            settings = settings.withHttpPort(httpPort);
        }
        if (kafkaClient.file != null) {
            java.util.Map<String, String> merged = new java.util.TreeMap<>(settings.kafka());
            merged.putAll(kafkaClient.properties());
            settings = settings.withKafka(merged);
        }
        if (archiveDir != null) {
            settings = settings.withDirs(settings.stateDir(), archiveDir);
        }
        TopicCreator.ensure(settings.bootstrapServers(), new TopicCatalogue(settings.topicPrefix(),
                TopicCatalogue.DEFAULT_PARTITIONS), settings.kafka());
        SinksApp app = SinksApp.start(settings, System.out);
        Lifecycle.closeOnShutdown("sinks", app);
        if (app.httpPort() > 0) {
            System.out.println("Dashboard: http://localhost:" + app.httpPort() + "/   metrics: http://localhost:"
                    + app.httpPort() + "/metrics");
        }
        System.out.println("Sinks running against " + settings.bootstrapServers() + ". Press Ctrl-C to stop.");
        System.out.flush();
        Lifecycle.awaitShutdown();
        return 0;
    }
}
