package dev.spectroscope.sink;

import dev.spectroscope.deadletter.DeadLetters;
import dev.spectroscope.events.DeadLetter;
import dev.spectroscope.topics.Topic;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Writes the sinks' dead letters (an alert a receiver refused, say) to the dead-letter topic. */
final class DeadLetterPublisher implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DeadLetterPublisher.class);

    private final KafkaProducer<String, DeadLetter> producer;
    private final Topic<DeadLetter> topic;

    DeadLetterPublisher(String bootstrapServers, Map<String, String> kafka, Topic<DeadLetter> topic) {
        Properties p = new Properties();
        p.putAll(kafka);
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        // One request in flight: with several, a first request refused while a new partition's leader settles lets a
        // later one through (the broker takes any first sequence from a producer it has no state for), and the
        // first is then retried with an out-of-order sequence until it expires: lost (KAFKA-14359, KAFKA-15591).
        p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1);
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "spectroscope-sinks-dlq");
        this.topic = topic;
        this.producer = new KafkaProducer<>(p, topic.keySerde().serializer(), topic.valueSerde().serializer());
    }

    void publish(String sink, RecordSink.SinkRecord record, String runId, String errorType, String reason) {
        DeadLetter letter = DeadLetters.of("sinks/" + sink, record.topic(), record.partition(), record.offset(),
                DeadLetters.keyBytes(record.key()), record.raw(), runId, errorType, reason);
        try {
            producer.send(new ProducerRecord<>(topic.name(), runId, letter)).get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.warn("Could not write a dead letter for {} ({}): {}", record.where(), errorType, e.getMessage());
        }
    }

    @Override
    public void close() {
        producer.close();
    }
}
