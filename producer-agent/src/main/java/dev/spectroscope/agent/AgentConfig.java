package dev.spectroscope.agent;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * Everything the agent can be told, with defaults that work on a laptop. A bad value fails at
 * construction with a message naming the key; nothing is checked later, inside the training loop.
 *
 * @param bootstrapServers     Kafka to send to; {@code null} runs offline: events stay in the journal until
 *                             {@code spectroscope agent sync} (key {@code bootstrap.servers})
 * @param topicPrefix          prefix of the topic names (key {@code topic.prefix}, default {@code spectroscope.})
 * @param spillDir             where the write-ahead journals live (key {@code spill.dir}, default
 *                             {@code spectroscope-data/spill})
 * @param blobDir              where large checkpoints go (key {@code blob.dir}, default {@code spectroscope-data/blobs})
 * @param inlineThresholdBytes checkpoints up to this size travel inside the event, larger ones by reference
 *                             (key {@code checkpoint.inline.max.bytes}, default 512 KiB)
 * @param queueCapacity        events waiting between the API and the journal (key {@code queue.capacity},
 *                             default 100,000); bounds the agent's memory
 * @param diskBudgetBytes      journal bytes on disk beyond which the agent drops metrics, then checkpoints
 *                             (key {@code spill.max.bytes}, default 2 GiB)
 * @param segmentBytes         journal segment size (key {@code spill.segment.bytes}, default 64 MiB)
 * @param closeTimeout         how long {@code close()} waits for Kafka to take the journal (key
 *                             {@code close.timeout}, default 30 s); what is left is sent on the next start
 * @param flushInterval        how long the agent gathers a trickle of events before it writes them to the journal and
 *                             hands them to Kafka (key {@code flush.interval}, default 1 s, at most 60 s). Each flush
 *                             wakes the agent's threads and Kafka's; once a second keeps their CPU under 1% of a core
 *                             at a metric per step (see docs/benchmarks/agent-overhead.md), and a dashboard refreshed
 *                             each second sees no difference. Bursts (a queue of 64 events or more) never wait.
 * @param producerProperties   extra Kafka producer properties (security settings, for instance)
 */
public record AgentConfig(String bootstrapServers, String topicPrefix, Path spillDir, Path blobDir,
                          int inlineThresholdBytes, int queueCapacity, long diskBudgetBytes, long segmentBytes,
                          Duration closeTimeout, Map<String, String> producerProperties, Duration flushInterval) {

    public AgentConfig {
        require(topicPrefix != null && topicPrefix.matches("[a-zA-Z0-9._-]*"), "topic.prefix",
                "may only hold letters, digits, '.', '_' and '-', was '" + topicPrefix + "'");
        require(spillDir != null, "spill.dir", "is required");
        require(blobDir != null, "blob.dir", "is required");
        require(inlineThresholdBytes >= 0 && inlineThresholdBytes <= 4 * 1024 * 1024, "checkpoint.inline.max.bytes",
                "must lie between 0 and 4 MiB (Kafka's records should stay small), was " + inlineThresholdBytes);
        require(queueCapacity >= 16, "queue.capacity", "must be at least 16, was " + queueCapacity);
        require(diskBudgetBytes >= 1024 * 1024, "spill.max.bytes", "must be at least 1 MiB, was " + diskBudgetBytes);
        require(segmentBytes >= 64 * 1024, "spill.segment.bytes", "must be at least 64 KiB, was " + segmentBytes);
        require(closeTimeout != null && !closeTimeout.isNegative(), "close.timeout", "must be zero or positive");
        require(bootstrapServers == null || !bootstrapServers.isBlank(), "bootstrap.servers",
                "must be HOST:PORT[,HOST:PORT...] or left unset to run offline");
        require(flushInterval != null && !flushInterval.isNegative() && flushInterval.compareTo(Duration.ofSeconds(60)) <= 0,
                "flush.interval", "must lie between 0 and 60 s, was " + flushInterval);
        producerProperties = Map.copyOf(producerProperties == null ? Map.of() : producerProperties);
        spillDir = spillDir.toAbsolutePath().normalize();
        blobDir = blobDir.toAbsolutePath().normalize();
    }

    private static void require(boolean ok, String key, String message) {
        if (!ok) {
            throw new IllegalArgumentException("agent setting " + key + " " + message);
        }
    }

    /** Defaults: offline, data under ./spectroscope-data. */
    public static AgentConfig defaults() {
        return new AgentConfig(null, "spectroscope.", Path.of("spectroscope-data", "spill"),
                Path.of("spectroscope-data", "blobs"), 512 * 1024, 100_000, 2L << 30, 64L << 20, Duration.ofSeconds(30),
                Map.of(), Duration.ofSeconds(1));
    }

    public AgentConfig withBootstrapServers(String servers) {
        return new AgentConfig(servers, topicPrefix, spillDir, blobDir, inlineThresholdBytes, queueCapacity,
                diskBudgetBytes, segmentBytes, closeTimeout, producerProperties, flushInterval);
    }

    public AgentConfig withSpillDir(Path dir) {
        return new AgentConfig(bootstrapServers, topicPrefix, dir, blobDir, inlineThresholdBytes, queueCapacity,
                diskBudgetBytes, segmentBytes, closeTimeout, producerProperties, flushInterval);
    }

    public AgentConfig withBlobDir(Path dir) {
        return new AgentConfig(bootstrapServers, topicPrefix, spillDir, dir, inlineThresholdBytes, queueCapacity,
                diskBudgetBytes, segmentBytes, closeTimeout, producerProperties, flushInterval);
    }

    public AgentConfig withInlineThresholdBytes(int bytes) {
        return new AgentConfig(bootstrapServers, topicPrefix, spillDir, blobDir, bytes, queueCapacity,
                diskBudgetBytes, segmentBytes, closeTimeout, producerProperties, flushInterval);
    }

    public AgentConfig withDiskBudgetBytes(long bytes) {
        return new AgentConfig(bootstrapServers, topicPrefix, spillDir, blobDir, inlineThresholdBytes, queueCapacity,
                bytes, segmentBytes, closeTimeout, producerProperties, flushInterval);
    }

    public AgentConfig withCloseTimeout(Duration timeout) {
        return new AgentConfig(bootstrapServers, topicPrefix, spillDir, blobDir, inlineThresholdBytes, queueCapacity,
                diskBudgetBytes, segmentBytes, timeout, producerProperties, flushInterval);
    }

    public AgentConfig withProducerProperties(Map<String, String> properties) {
        return new AgentConfig(bootstrapServers, topicPrefix, spillDir, blobDir, inlineThresholdBytes, queueCapacity,
                diskBudgetBytes, segmentBytes, closeTimeout, properties, flushInterval);
    }

    public AgentConfig withFlushInterval(Duration interval) {
        return new AgentConfig(bootstrapServers, topicPrefix, spillDir, blobDir, inlineThresholdBytes, queueCapacity,
                diskBudgetBytes, segmentBytes, closeTimeout, producerProperties, interval);
    }
}
