package dev.spectroscope.broker;

import dev.spectroscope.topics.TopicCatalogue;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A KRaft cluster of several nodes in one JVM on loopback — each node controller and broker, a static
 * quorum of all of them — for showing on one machine what a real cluster does when a node goes away.
 * Replication factor min(3, nodes) and min in-sync replicas 2 (from three nodes on), for the topic
 * catalogue and Kafka's internal topics alike. Ports and the cluster id are kept in the data dir, so a
 * node (or the whole cluster) restarts into the same quorum.
 */
public final class EmbeddedKafkaCluster implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafkaCluster.class);
    private static final String STATE = "spectroscope-cluster.properties";

    private final List<BrokerSettings> settings;
    private final EmbeddedKafkaBroker[] nodes;
    private final short replication;

    private EmbeddedKafkaCluster(List<BrokerSettings> settings, short replication) {
        this.settings = settings;
        this.nodes = new EmbeddedKafkaBroker[settings.size()];
        this.replication = replication;
    }

    /**
     * @param basePort node i (1-based) serves clients on basePort + i - 1, its controller on basePort + 100 + i - 1;
     *                 0 picks free ports (recorded in the data dir for restarts)
     */
    public static EmbeddedKafkaCluster start(int nodeCount, Path dataDir, String host, int basePort, String topicPrefix,
                                             int partitions) {
        if (nodeCount < 1 || nodeCount > 9) {
            throw new IllegalArgumentException("--nodes must be between 1 and 9, was " + nodeCount);
        }
        Properties state = EmbeddedKafkaBroker.readProperties(dataDir.resolve(STATE));
        String clusterId = state.getProperty("cluster.id", Uuid.randomUuid().toString());
        int[] ports = new int[nodeCount];
        int[] controllers = new int[nodeCount];
        for (int i = 0; i < nodeCount; i++) {
            ports[i] = Integer.parseInt(state.getProperty("node." + (i + 1) + ".port",
                    Integer.toString(basePort == 0 ? EmbeddedKafkaBroker.freePort(host) : basePort + i)));
            controllers[i] = Integer.parseInt(state.getProperty("node." + (i + 1) + ".controller.port",
                    Integer.toString(basePort == 0 ? EmbeddedKafkaBroker.freePort(host) : basePort + 100 + i)));
            state.setProperty("node." + (i + 1) + ".port", Integer.toString(ports[i]));
            state.setProperty("node." + (i + 1) + ".controller.port", Integer.toString(controllers[i]));
        }
        state.setProperty("cluster.id", clusterId);
        EmbeddedKafkaBroker.writeProperties(dataDir.resolve(STATE), state,
                "spectroscope broker --nodes: the cluster's id and ports, kept for restarts");
        short replication = (short) Math.min(3, nodeCount);
        String minIsr = nodeCount >= 3 ? "2" : "1";
        StringBuilder voters = new StringBuilder();
        for (int i = 0; i < nodeCount; i++) {
            voters.append(i == 0 ? "" : ",").append(i + 1).append('@').append(host).append(':').append(controllers[i]);
        }
        Map<String, String> clusterProperties = Map.of(
                "controller.quorum.voters", voters.toString(),
                "offsets.topic.replication.factor", Short.toString(replication),
                "transaction.state.log.replication.factor", Short.toString(replication),
                "transaction.state.log.min.isr", minIsr,
                "share.coordinator.state.topic.replication.factor", Short.toString(replication),
                "share.coordinator.state.topic.min.isr", minIsr,
                "default.replication.factor", Short.toString(replication),
                "min.insync.replicas", minIsr);
        List<BrokerSettings> settings = new ArrayList<>();
        for (int i = 0; i < nodeCount; i++) {
            settings.add(new BrokerSettings(host, ports[i], controllers[i], dataDir.resolve("node-" + (i + 1)), i + 1,
                    topicPrefix, partitions).withServerProperties(clusterProperties));
        }
        EmbeddedKafkaCluster cluster = new EmbeddedKafkaCluster(settings, replication);
        long started = System.nanoTime();
        // A node serves clients only once a quorum of controllers is up: start them all at once.
        ExecutorService pool = Executors.newFixedThreadPool(nodeCount);
        try {
            List<Future<EmbeddedKafkaBroker>> futures = new ArrayList<>();
            for (BrokerSettings s : settings) {
                futures.add(pool.submit(() -> EmbeddedKafkaBroker.start(s, clusterId, (short) 0)));
            }
            for (int i = 0; i < nodeCount; i++) {
                cluster.nodes[i] = futures.get(i).get();
            }
        } catch (ExecutionException e) {
            cluster.close();
            throw e.getCause() instanceof RuntimeException r ? r : new BrokerStartException(e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            cluster.close();
            throw new BrokerStartException("interrupted while starting the cluster", e);
        } finally {
            pool.shutdown();
        }
        cluster.createTopics();
        LOG.info("Kafka cluster of {} nodes ready on {} in {} ms", nodeCount, cluster.bootstrapServers(),
                (System.nanoTime() - started) / 1_000_000);
        return cluster;
    }

    private void createTopics() {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 60_000))) {
            TopicCreator.Result result = TopicCreator.ensure(admin, catalogue(), replication);
            if (!result.created().isEmpty()) {
                LOG.info("Created topics {} with replication factor {}", result.created(), replication);
            }
        } catch (RuntimeException e) {
            close();
            throw e;
        } catch (Exception e) {
            close();
            throw new BrokerStartException("could not create the topics on the cluster: " + e.getMessage(), e);
        }
    }

    /** Every running node's address. */
    public String bootstrapServers() {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < nodes.length; i++) {
            out.add(settings.get(i).host() + ":" + settings.get(i).port());
        }
        return String.join(",", out);
    }

    public TopicCatalogue catalogue() {
        return new TopicCatalogue(settings.get(0).topicPrefix(), settings.get(0).partitions());
    }

    public int size() {
        return nodes.length;
    }

    /** Stops node {@code nodeId} (1-based); its data stays in its directory. */
    public synchronized void stopNode(int nodeId) {
        EmbeddedKafkaBroker node = nodes[nodeId - 1];
        if (node != null) {
            node.close();
            nodes[nodeId - 1] = null;
        }
    }

    /**
     * Stops every node at once: a KRaft broker's shutdown waits for the active controller to approve it, and
     * stopped one by one the last ones would wait (minutes) for a quorum that is already gone.
     */
    @Override
    public synchronized void close() {
        List<Thread> stopping = new ArrayList<>();
        for (int i = 0; i < nodes.length; i++) {
            EmbeddedKafkaBroker node = nodes[i];
            nodes[i] = null;
            if (node != null) {
                int id = i + 1;
                Thread t = new Thread(() -> {
                    try {
                        node.close();
                    } catch (RuntimeException e) {
                        LOG.warn("Stopping node {} failed: {}", id, e.getMessage());
                    }
                }, "stop-node-" + id);
                t.start();
                stopping.add(t);
            }
        }
        for (Thread t : stopping) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    @Override
    public String toString() {
        return "EmbeddedKafkaCluster[" + nodes.length + " nodes, " + settings.stream().map(s -> s.host() + ":"
                + s.port()).collect(Collectors.joining(",")) + "]";
    }
}
