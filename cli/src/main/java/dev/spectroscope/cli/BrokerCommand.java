package dev.spectroscope.cli;

import dev.spectroscope.broker.BrokerSettings;
import dev.spectroscope.broker.EmbeddedKafkaBroker;
import dev.spectroscope.broker.EmbeddedKafkaCluster;
import dev.spectroscope.topics.Topic;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code spectroscope broker}: a real single-node Kafka broker (KRaft) on this machine. */
@Command(name = "broker", mixinStandardHelpOptions = true,
        description = "A real Kafka broker (KRaft, single node) with the topics.")
final class BrokerCommand implements Callable<Integer> {

    @Option(names = "--port", defaultValue = "9092", description = "Client port (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--host", defaultValue = BrokerSettings.DEFAULT_HOST,
            description = "Interface to listen on and advertise (default: ${DEFAULT-VALUE}).")
    String host;

    @Option(names = "--data-dir", defaultValue = "spectroscope-data/kafka",
            description = "Where Kafka keeps its data; a restart on the same dir keeps everything "
                    + "(default: ${DEFAULT-VALUE}).")
    Path dataDir;

    @Option(names = "--topic-prefix", defaultValue = "spectroscope.",
            description = "Prefix of the catalogue's topic names (default: ${DEFAULT-VALUE}).")
    String topicPrefix;

    @Option(names = "--partitions", defaultValue = "3",
            description = "Partitions of each catalogue topic (default: ${DEFAULT-VALUE}).")
    int partitions;

    @Option(names = "--nodes", defaultValue = "1",
            description = "Nodes of a KRaft cluster on this host: ports --port, --port+1, ...; "
                    + "replication min(3, nodes) (default: ${DEFAULT-VALUE}).")
    int nodes;

    @Override
    public Integer call() throws InterruptedException {
        if (nodes > 1) {
            // A cluster on loopback, to see on one machine what losing a node does: node i at --port + i - 1.
            EmbeddedKafkaCluster cluster = EmbeddedKafkaCluster.start(nodes, dataDir, host, port, topicPrefix,
                    partitions);
            Lifecycle.closeOnShutdown("cluster", cluster);
            System.out.println("Kafka cluster of " + nodes + " nodes ready: bootstrap.servers="
                    + cluster.bootstrapServers());
            System.out.println("Data dir: " + dataDir.toAbsolutePath() + " (node-1 ... node-" + nodes + ")");
            System.out.println("Press Ctrl-C to stop.");
            System.out.flush();
            Lifecycle.awaitShutdown();
            return 0;
        }
        BrokerSettings settings = new BrokerSettings(host, port, 0, dataDir, 1, topicPrefix, partitions);
        EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(settings);
        Lifecycle.closeOnShutdown("broker", broker);
        System.out.println("Kafka broker ready: bootstrap.servers=" + broker.bootstrapServers());
        System.out.println("Data dir: " + settings.dataDir());
        System.out.print("Topics:");
        for (Topic<?> topic : broker.catalogue().all()) {
            System.out.print(" " + topic.name());
        }
        System.out.println();
        System.out.println("Press Ctrl-C to stop.");
        System.out.flush();
        Lifecycle.awaitShutdown();
        return 0;
    }
}
