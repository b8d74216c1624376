package dev.spectroscope.probe;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * Everything {@code spectroscope probe-worker} is configured by.
 *
 * @param bootstrapServers Kafka
 * @param groupId          consumer group: workers with the same id share the checkpoints by partition
 * @param topicPrefix      prefix of the catalogue's topics
 * @param threads          chains sampled at once
 * @param blobDir          blob store root (blobs are read by their URI; this is where relative ones resolve)
 * @param runWait          how long a checkpoint of an unknown run waits for its RunStarted
 * @param kafka            further Kafka client properties, passed through (TLS, SASL, ...)
 */
public record ProbeWorkerSettings(String bootstrapServers, String groupId, String topicPrefix, int threads,
                                  Path blobDir, Duration runWait, Map<String, String> kafka) {

    public static final String DEFAULT_GROUP = "spectroscope-probe-worker";

    public ProbeWorkerSettings {
        if (bootstrapServers == null || bootstrapServers.isBlank()) {
            throw new IllegalArgumentException("--bootstrap-servers is required (host:port of a Kafka broker)");
        }
        if (threads < 1) {
            throw new IllegalArgumentException("--threads must be at least 1, was " + threads);
        }
        kafka = Map.copyOf(kafka == null ? Map.of() : kafka);
    }

    public static ProbeWorkerSettings defaults(String bootstrapServers) {
        return new ProbeWorkerSettings(bootstrapServers, DEFAULT_GROUP, "spectroscope.",
                Math.max(1, Runtime.getRuntime().availableProcessors() - 1), Path.of("spectroscope-data", "blobs"),
                Duration.ofSeconds(10), Map.of());
    }

    public ProbeWorkerSettings withThreads(int n) {
        return new ProbeWorkerSettings(bootstrapServers, groupId, topicPrefix, n, blobDir, runWait, kafka);
    }

    public ProbeWorkerSettings withGroupId(String id) {
        return new ProbeWorkerSettings(bootstrapServers, id, topicPrefix, threads, blobDir, runWait, kafka);
    }

    public ProbeWorkerSettings withKafka(Map<String, String> properties) {
        return new ProbeWorkerSettings(bootstrapServers, groupId, topicPrefix, threads, blobDir, runWait, properties);
    }
}
