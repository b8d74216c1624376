package dev.spectroscope.cli;

import dev.spectroscope.broker.TopicCreator;
import dev.spectroscope.probe.ProbeWorker;
import dev.spectroscope.probe.ProbeWorkerSettings;
import dev.spectroscope.topics.TopicCatalogue;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code spectroscope probe-worker}: SGLD chains around every checkpoint. */
@Command(name = "probe-worker", mixinStandardHelpOptions = true,
        description = "SGLD chains around every checkpoint; add workers to scale.")
final class ProbeWorkerCommand implements Callable<Integer> {

    @Option(names = "--bootstrap-servers", required = true, description = "Kafka, host:port[,host:port].")
    String bootstrapServers;

    @Option(names = "--group-id", defaultValue = ProbeWorkerSettings.DEFAULT_GROUP,
            description = "Consumer group (default: ${DEFAULT-VALUE}).")
    String groupId;

    @Option(names = "--threads", description = "Chains sampled at once (default: cores − 1).")
    Integer threads;

    @Option(names = "--blob-dir", defaultValue = "spectroscope-data/blobs",
            description = "Blob store root the agent writes to (default: ${DEFAULT-VALUE}).")
    Path blobDir;

    @Option(names = "--topic-prefix", defaultValue = "spectroscope.",
            description = "Prefix of the topic names (default: ${DEFAULT-VALUE}).")
    String topicPrefix;

    @picocli.CommandLine.Mixin
    KafkaClientOptions kafkaClient = new KafkaClientOptions();

    @Override
    public Integer call() throws Exception {
        ProbeWorkerSettings defaults = ProbeWorkerSettings.defaults(bootstrapServers);
        ProbeWorkerSettings settings = new ProbeWorkerSettings(bootstrapServers, groupId, topicPrefix,
                threads == null ? defaults.threads() : threads, blobDir, Duration.ofSeconds(10),
                kafkaClient.properties());
        TopicCreator.ensure(bootstrapServers, new TopicCatalogue(topicPrefix, TopicCatalogue.DEFAULT_PARTITIONS),
                settings.kafka());
        ProbeWorker worker = ProbeWorker.start(settings);
        Lifecycle.closeOnShutdown("probe worker", worker);
        System.out.println("Probe worker running against " + bootstrapServers + " in group " + groupId);
        System.out.println("Press Ctrl-C to stop.");
        System.out.flush();
        Lifecycle.awaitShutdown();
        return 0;
    }
}
