package dev.spectroscope.topics;

import dev.spectroscope.events.EventCodec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/** Reads a topic from its start to its current end (committed records only), without a consumer group. */
public final class TopicScan {

    private static final EventCodec<SpecificRecord> EVENTS = EventCodec.anyEvent();

    private TopicScan() {
    }

    /** The topic's events, decoded; a record that does not decode fails the read with the decoder's message. */
    public static List<SpecificRecord> readEvents(String bootstrapServers, String topic, Duration timeout) {
        return readEvents(bootstrapServers, Map.of(), topic, timeout);
    }

    /** The same with Kafka client properties (TLS, SASL, ...). */
    public static List<SpecificRecord> readEvents(String bootstrapServers, Map<String, String> kafka, String topic,
                                                  Duration timeout) {
        List<SpecificRecord> out = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> r : readAll(bootstrapServers, kafka, topic, timeout)) {
            out.add(EVENTS.decode(topic, r.value()));
        }
        return out;
    }

    public static List<ConsumerRecord<String, byte[]>> readAll(String bootstrapServers, Map<String, String> kafka,
                                                               String topic, Duration timeout) {
        Properties p = new Properties();
        p.putAll(kafka);
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(p, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, timeout).stream()
                    .map(i -> new TopicPartition(topic, i.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, timeout);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("reading " + topic + " took longer than " + timeout.toSeconds()
                            + " s; is the broker at " + bootstrapServers + " healthy?");
                }
                consumer.poll(Duration.ofMillis(200)).forEach(out::add);
            }
        }
        return out;
    }
}
