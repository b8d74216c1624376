package dev.spectroscope.agent;

import dev.spectroscope.topics.Topic;
import dev.spectroscope.topics.TopicCatalogue;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/** Reads back every event of one run from every topic, decoded with the catalogue's Serdes. */
final class RunEvents {

    private RunEvents() {
    }

    /** Events of the run per topic name, in partition order, polling until {@code expected} arrived or 60 s. */
    static Map<String, List<SpecificRecord>> read(String bootstrap, TopicCatalogue catalogue, String runId,
                                                  int expected) {
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "test-" + UUID.randomUUID());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
        Map<String, List<SpecificRecord>> byTopic = new HashMap<>();
        int count = 0;
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            List<String> names = new ArrayList<>();
            for (Topic<?> t : catalogue.all()) {
                names.add(t.name());
            }
            consumer.subscribe(names);
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            long quietSince = System.nanoTime();
            while (System.nanoTime() < deadline) {
                boolean any = false;
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (!runId.equals(r.key())) {
                        continue;
                    }
                    Topic<?> topic = catalogue.byName(r.topic()).orElseThrow();
                    SpecificRecord event = (SpecificRecord) topic.valueSerde().deserializer().deserialize(r.topic(),
                            r.value());
                    byTopic.computeIfAbsent(r.topic(), k -> new ArrayList<>()).add(event);
                    count++;
                    any = true;
                }
                if (any) {
                    quietSince = System.nanoTime();
                }
                // Past the expected count, keep listening a little: duplicates would show up here.
                if (count >= expected && System.nanoTime() - quietSince > 1_500_000_000L) {
                    break;
                }
            }
        }
        return byTopic;
    }
}
