package dev.spectroscope.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spectroscope.events.TrainingMetrics;
import dev.spectroscope.topics.Topic;
import dev.spectroscope.topics.TopicCatalogue;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;

/** Checks that any broker (embedded or a container) serves Spectroscope: the same code for both. */
final class BrokerChecks {

    private BrokerChecks() {
    }

    static void catalogueTopicsExist(String bootstrap, TopicCatalogue catalogue) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            Set<String> names = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            for (Topic<?> topic : catalogue.all()) {
                assertTrue(names.contains(topic.name()), topic.name() + " missing from " + names);
            }
            var runs = admin.describeTopics(List.of(catalogue.runs().name())).allTopicNames().get(30, TimeUnit.SECONDS)
                    .get(catalogue.runs().name());
            assertEquals(catalogue.runs().partitions(), runs.partitions().size());
        }
    }

    static List<TrainingMetrics> metricsFor(String runId, int count) {
        List<TrainingMetrics> events = new ArrayList<>();
        for (int step = 0; step < count; step++) {
            events.add(TrainingMetrics.newBuilder().setEventId(UUID.randomUUID().toString()).setRunId(runId)
                    .setStep(step).setTimestamp(Instant.ofEpochMilli(1_700_000_000_000L + step))
                    .setLoss(1.0 / (1 + step)).build());
        }
        return events;
    }

    /** Produces events of several runs idempotently, optionally in a transaction. */
    static void produce(String bootstrap, TopicCatalogue catalogue, List<TrainingMetrics> events,
                        boolean transactional) {
        Map<String, Object> props = new HashMap<>();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        // One request in flight: with several, a first request refused while a new partition's leader settles lets a
        // later one through (the broker takes any first sequence from a producer it has no state for), and the
        // first is then retried with an out-of-order sequence until it expires: lost (KAFKA-14359, KAFKA-15591).
        props.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1);
        if (transactional) {
            props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "broker-check-" + UUID.randomUUID());
        }
        Topic<TrainingMetrics> topic = catalogue.metrics();
        try (KafkaProducer<String, TrainingMetrics> producer = new KafkaProducer<>(props,
                topic.keySerde().serializer(), topic.valueSerde().serializer())) {
            if (transactional) {
                producer.initTransactions();
                producer.beginTransaction();
            }
            for (TrainingMetrics m : events) {
                producer.send(new ProducerRecord<>(topic.name(), m.getRunId(), m));
            }
            if (transactional) {
                producer.commitTransaction();
            }
            producer.flush();
        }
    }

    /** Reads the metrics topic from the start until {@code expected} records arrived. */
    static List<TrainingMetrics> consume(String bootstrap, TopicCatalogue catalogue, int expected) {
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "broker-check-" + UUID.randomUUID());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        Topic<TrainingMetrics> topic = catalogue.metrics();
        List<TrainingMetrics> received = new ArrayList<>();
        try (KafkaConsumer<String, TrainingMetrics> consumer = new KafkaConsumer<>(props,
                topic.keySerde().deserializer(), topic.valueSerde().deserializer())) {
            consumer.subscribe(List.of(topic.name()));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (received.size() < expected && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, TrainingMetrics> r : consumer.poll(Duration.ofMillis(200))) {
                    assertEquals(r.key(), r.value().getRunId(), "events are keyed by run id");
                    received.add(r.value());
                }
            }
        }
        return received;
    }

    /** Within each run, steps arrive in the order they were sent. */
    static void assertOrderedPerRun(List<TrainingMetrics> received) {
        Map<String, Long> last = new HashMap<>();
        for (TrainingMetrics m : received) {
            long previous = last.getOrDefault(m.getRunId(), -1L);
            assertTrue(m.getStep() > previous, "run " + m.getRunId() + " step " + m.getStep() + " after " + previous);
            last.put(m.getRunId(), m.getStep());
        }
    }
}
