package dev.spectroscope.topics;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.Serde;

/**
 * One topic of the catalogue: its name, its Serdes and how the broker should keep it. Producers,
 * consumers, topologies, topic creation and the deploy manifests all take a topic from here, so a name
 * or a Serde is written once.
 *
 * @param name        full topic name, prefix included
 * @param keySerde    Serde of the key (the run id)
 * @param valueSerde  Serde of the events it carries
 * @param eventTypes  event types the topic carries
 * @param partitions  default partition count (bounds the parallelism of its consumers)
 * @param cleanupPolicy {@code delete} or {@code compact}
 * @param retentionMs retention in milliseconds, -1 for forever
 */
public record Topic<V extends SpecificRecord>(
        String name,
        Serde<String> keySerde,
        Serde<V> valueSerde,
        Set<Class<? extends SpecificRecord>> eventTypes,
        int partitions,
        String cleanupPolicy,
        long retentionMs) {

    /** Broker-side settings of the topic, as given to {@code Admin.createTopics}. */
    public Map<String, String> configs() {
        Map<String, String> configs = new LinkedHashMap<>();
        configs.put(TopicConfig.CLEANUP_POLICY_CONFIG, cleanupPolicy);
        configs.put(TopicConfig.RETENTION_MS_CONFIG, Long.toString(retentionMs));
        return configs;
    }

    @Override
    public String toString() {
        return name;
    }
}
