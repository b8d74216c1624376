package dev.spectroscope.cli;

import dev.spectroscope.broker.TopicCreator;
import dev.spectroscope.topics.Topic;
import dev.spectroscope.topics.TopicCatalogue;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code spectroscope topics}: show the topic catalogue, or create it on any cluster. */
@Command(name = "topics", mixinStandardHelpOptions = true,
        description = "Show the topic catalogue, or create it on a cluster.")
final class TopicsCommand implements Callable<Integer> {

    @Option(names = "--bootstrap-servers", description = "Kafka cluster to create the topics on.")
    String bootstrapServers;

    @Option(names = "--create", description = "Create the missing topics (needs --bootstrap-servers).")
    boolean create;

    @Option(names = "--topic-prefix", defaultValue = TopicCatalogue.DEFAULT_PREFIX,
            description = "Prefix of the topic names (default: ${DEFAULT-VALUE}).")
    String prefix;

    @Option(names = "--partitions", defaultValue = "3", description = "Partitions per topic (default: ${DEFAULT-VALUE}).")
    int partitions;

    @Option(names = "--replication-factor", defaultValue = "1",
            description = "Replication factor of new topics; use 3 on a production cluster (default: ${DEFAULT-VALUE}).")
    short replicationFactor;

    @Override
    public Integer call() throws Exception {
        TopicCatalogue catalogue = new TopicCatalogue(prefix, partitions);
        if (!create) {
            System.out.printf("%-28s %-34s %10s %8s %14s%n", "topic", "events", "partitions", "cleanup", "retention");
            for (Topic<?> t : catalogue.all()) {
                String events = t.eventTypes().stream().map(Class::getSimpleName).sorted()
                        .collect(Collectors.joining(", "));
                String retention = t.retentionMs() < 0 ? "forever" : (t.retentionMs() / 86_400_000L) + " days";
                System.out.printf("%-28s %-34s %10d %8s %14s%n", t.name(), events, t.partitions(), t.cleanupPolicy(),
                        retention);
            }
            return 0;
        }
        if (bootstrapServers == null) {
            throw new IllegalArgumentException("--create needs --bootstrap-servers HOST:PORT");
        }
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000))) {
            TopicCreator.Result result = TopicCreator.ensure(admin, catalogue, replicationFactor);
            System.out.println("created: " + (result.created().isEmpty() ? "none" : String.join(" ", result.created())));
            System.out.println("already there: " + (result.existing().isEmpty() ? "none"
                    : String.join(" ", result.existing())));
        }
        return 0;
    }
}
