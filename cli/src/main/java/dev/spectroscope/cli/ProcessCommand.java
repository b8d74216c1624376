package dev.spectroscope.cli;

import dev.spectroscope.broker.TopicCreator;
import dev.spectroscope.process.ProcessorApp;
import dev.spectroscope.process.ProcessorSettings;
import dev.spectroscope.topics.TopicCatalogue;
import dev.spectroscope.transition.DetectorSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code spectroscope process}: the estimator and transition topologies, with the query API. */
@Command(name = "process", mixinStandardHelpOptions = true,
        description = "Estimates from SGLD chains; transitions and alerts from those.")
final class ProcessCommand implements Callable<Integer> {

    @Option(names = "--bootstrap-servers", required = true, description = "Kafka, host:port[,host:port].")
    String bootstrapServers;

    @Option(names = "--application-id", defaultValue = ProcessorSettings.DEFAULT_APPLICATION_ID,
            description = "Kafka Streams application id; instances with the same id share the work "
                    + "(default: ${DEFAULT-VALUE}).")
    String applicationId;

    @Option(names = "--state-dir", defaultValue = "spectroscope-data/streams",
            description = "Where the state stores live (default: ${DEFAULT-VALUE}).")
    Path stateDir;

    @Option(names = "--topic-prefix", defaultValue = "spectroscope.",
            description = "Prefix of the topic names (default: ${DEFAULT-VALUE}).")
    String topicPrefix;

    @Option(names = "--partitions", defaultValue = "3",
            description = "Partitions for topics this command has to create (default: ${DEFAULT-VALUE}).")
    int partitions;

    @Option(names = "--chain-wait", defaultValue = "60",
            description = "Seconds a checkpoint waits for its last SGLD chains before a partial estimate "
                    + "(default: ${DEFAULT-VALUE}).")
    long chainWaitSeconds;

    @Option(names = "--http-port", defaultValue = "7071",
            description = "Port of the query API (GET /runs); 0 for any, -1 for none (default: ${DEFAULT-VALUE}).")
    int httpPort;

    @Option(names = "--threads", defaultValue = "1", description = "Stream threads (default: ${DEFAULT-VALUE}).")
    int threads;

    @picocli.CommandLine.Mixin
    KafkaClientOptions kafkaClient = new KafkaClientOptions();

    @Override
    public Integer call() throws Exception {
        ProcessorSettings settings = new ProcessorSettings(bootstrapServers, applicationId, stateDir, topicPrefix,
                partitions, Duration.ofSeconds(chainWaitSeconds), DetectorSettings.defaults(), httpPort, threads,
                kafkaClient.properties());
        TopicCreator.ensure(bootstrapServers, new TopicCatalogue(topicPrefix, partitions), settings.kafka());
        ProcessorApp app = ProcessorApp.start(settings);
        Lifecycle.closeOnShutdown("processor", app);
        System.out.println("Processor running against " + bootstrapServers
                + (app.queryPort() > 0 ? "; query API on http://localhost:" + app.queryPort() + "/runs" : ""));
        System.out.println("Press Ctrl-C to stop.");
        System.out.flush();
        Lifecycle.awaitShutdown();
        return 0;
    }
}
