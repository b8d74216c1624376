package dev.spectroscope.process;

import dev.spectroscope.transition.DetectorSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * Everything {@code spectroscope process} is configured by, with defaults that work on a laptop.
 *
 * @param bootstrapServers Kafka to read from and write to
 * @param applicationId    Kafka Streams application id: consumer group, prefix of internal topics
 * @param stateDir         where the state stores live (keep it between restarts: it saves restoring)
 * @param topicPrefix      prefix of the catalogue's topics
 * @param partitions       partitions the catalogue assumes (only for creating topics)
 * @param chainWait        how long a step waits for its last SGLD chains before a partial estimate
 * @param detectors        default detector settings (runs override them by tags)
 * @param httpPort         port of the query API ({@code GET /runs}); 0 picks a free one, -1 turns it off
 * @param threads          stream threads
 * @param kafka            further Kafka client properties, passed through (TLS, SASL, ...)
 */
public record ProcessorSettings(String bootstrapServers, String applicationId, Path stateDir, String topicPrefix,
                                int partitions, Duration chainWait, DetectorSettings detectors, int httpPort,
                                int threads, Map<String, String> kafka) {

    public static final String DEFAULT_APPLICATION_ID = "spectroscope-process";
    public static final int DEFAULT_HTTP_PORT = 7071;

    public ProcessorSettings {
        if (bootstrapServers == null || bootstrapServers.isBlank()) {
            throw new IllegalArgumentException("--bootstrap-servers is required (host:port of a Kafka broker)");
        }
        if (chainWait.isNegative() || chainWait.isZero()) {
            throw new IllegalArgumentException("--chain-wait must be positive, was " + chainWait);
        }
        if (threads < 1) {
            throw new IllegalArgumentException("--threads must be at least 1, was " + threads);
        }
        if (httpPort < -1 || httpPort > 65535) {
            throw new IllegalArgumentException("--http-port must be a port, 0 (any) or -1 (off), was " + httpPort);
        }
        kafka = Map.copyOf(kafka == null ? Map.of() : kafka);
    }

    public static ProcessorSettings defaults(String bootstrapServers) {
        return new ProcessorSettings(bootstrapServers, DEFAULT_APPLICATION_ID,
                Path.of("spectroscope-data", "streams"), "spectroscope.", 3, Duration.ofSeconds(60),
                DetectorSettings.defaults(), DEFAULT_HTTP_PORT, 1, Map.of());
    }

    public ProcessorSettings withStateDir(Path dir) {
        return new ProcessorSettings(bootstrapServers, applicationId, dir, topicPrefix, partitions, chainWait, detectors,
                httpPort, threads, kafka);
    }

    public ProcessorSettings withApplicationId(String id) {
        return new ProcessorSettings(bootstrapServers, id, stateDir, topicPrefix, partitions, chainWait, detectors,
                httpPort, threads, kafka);
    }

    public ProcessorSettings withHttpPort(int port) {
        return new ProcessorSettings(bootstrapServers, applicationId, stateDir, topicPrefix, partitions, chainWait,
                detectors, port, threads, kafka);
    }

    public ProcessorSettings withChainWait(Duration wait) {
        return new ProcessorSettings(bootstrapServers, applicationId, stateDir, topicPrefix, partitions, wait,
                detectors, httpPort, threads, kafka);
    }

    public ProcessorSettings withThreads(int n) {
        return new ProcessorSettings(bootstrapServers, applicationId, stateDir, topicPrefix, partitions, chainWait,
                detectors, httpPort, n, kafka);
    }

    public ProcessorSettings withKafka(Map<String, String> properties) {
        return new ProcessorSettings(bootstrapServers, applicationId, stateDir, topicPrefix, partitions, chainWait,
                detectors, httpPort, threads, properties);
    }
}
