package dev.spectroscope.broker;

import java.nio.file.Path;

/**
 * How to run the embedded broker.
 *
 * @param host           interface to listen on and advertise; loopback by default
 * @param port           client port; 0 picks a free one
 * @param controllerPort KRaft controller port; 0 reuses the one recorded in the data dir, or picks a free one
 * @param dataDir        where logs and metadata live; a restart on the same dir keeps every topic and record
 * @param nodeId         KRaft node id
 * @param topicPrefix    prefix of the catalogue's topics
 * @param partitions     partitions of each catalogue topic
 */
public record BrokerSettings(String host, int port, int controllerPort, Path dataDir, int nodeId, String topicPrefix,
                             int partitions, java.util.Map<String, String> serverProperties) {

    public BrokerSettings(String host, int port, int controllerPort, Path dataDir, int nodeId, String topicPrefix,
                          int partitions) {
        this(host, port, controllerPort, dataDir, nodeId, topicPrefix, partitions, java.util.Map.of());
    }

    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final int DEFAULT_PORT = 9092;
    public static final Path DEFAULT_DATA_DIR = Path.of("spectroscope-data", "kafka");

    public BrokerSettings {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("--port must be between 0 and 65535, was " + port);
        }
        if (controllerPort < 0 || controllerPort > 65535) {
            throw new IllegalArgumentException("controller port must be between 0 and 65535, was " + controllerPort);
        }
        if (dataDir == null) {
            throw new IllegalArgumentException("a data dir is required");
        }
        dataDir = dataDir.toAbsolutePath().normalize();
        serverProperties = java.util.Map.copyOf(serverProperties == null ? java.util.Map.of() : serverProperties);
    }

    /** Defaults for a laptop: 127.0.0.1:9092, data under ./spectroscope-data/kafka. */
    public static BrokerSettings defaults() {
        return new BrokerSettings(DEFAULT_HOST, DEFAULT_PORT, 0, DEFAULT_DATA_DIR, 1, "spectroscope.", 3);
    }

    /** A throwaway broker on free ports, for tests. */
    public static BrokerSettings ephemeral(Path dataDir) {
        return new BrokerSettings(DEFAULT_HOST, 0, 0, dataDir, 1, "spectroscope.", 3);
    }

    public BrokerSettings withPort(int newPort) {
        return new BrokerSettings(host, newPort, controllerPort, dataDir, nodeId, topicPrefix, partitions,
                serverProperties);
    }

    public BrokerSettings withDataDir(Path newDataDir) {
        return new BrokerSettings(host, port, controllerPort, newDataDir, nodeId, topicPrefix, partitions,
                serverProperties);
    }

    public BrokerSettings withTopics(String newPrefix, int newPartitions) {
        return new BrokerSettings(host, port, controllerPort, dataDir, nodeId, newPrefix, newPartitions,
                serverProperties);
    }

    /**
     * Kafka server properties applied over the ones this class sets, e.g. an extra TLS listener
     * ({@code listeners}, {@code advertised.listeners}, {@code listener.security.protocol.map}, {@code ssl.*}).
     */
    public BrokerSettings withServerProperties(java.util.Map<String, String> properties) {
        return new BrokerSettings(host, port, controllerPort, dataDir, nodeId, topicPrefix, partitions, properties);
    }
}
