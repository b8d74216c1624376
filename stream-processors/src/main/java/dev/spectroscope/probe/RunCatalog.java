package dev.spectroscope.probe;

import dev.spectroscope.events.EventCodec;
import dev.spectroscope.events.EventDecodingException;
import dev.spectroscope.events.RunEnded;
import dev.spectroscope.events.RunStarted;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every run's RunStarted, read from the whole runs topic (all partitions, from the start, no group): the
 * probe worker's view of what each run is, like a global table. Bad records are skipped here; the
 * processor's decoder is the one that sends them to the dead letters.
 */
final class RunCatalog implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RunCatalog.class);

    private final KafkaConsumer<String, byte[]> consumer;
    private final EventCodec<SpecificRecord> codec = EventCodec.anyOf(RunStarted.class, RunEnded.class);
    private final Map<String, RunStarted> runs = new ConcurrentHashMap<>();
    private final String topic;
    private final Thread reader;
    private volatile boolean running = true;
    private volatile Map<TopicPartition, Long> positions = Map.of();

    RunCatalog(Properties kafka, String topic) {
        this.topic = topic;
        Properties p = new Properties();
        p.putAll(kafka);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        this.consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                .map(info -> new TopicPartition(topic, info.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        this.reader = new Thread(this::read, "run-catalog");
        reader.setDaemon(true);
        reader.start();
    }

    private void read() {
        try {
            while (running) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    try {
                        if (codec.decode(topic, r.value()) instanceof RunStarted started) {
                            runs.put(started.getRunId(), started);
                        }
                    } catch (EventDecodingException e) {
                        LOG.debug("skipping an unreadable record of {}: {}", topic, e.getMessage());
                    }
                }
                Map<TopicPartition, Long> now = new java.util.HashMap<>();
                for (TopicPartition tp : consumer.assignment()) {
                    now.put(tp, consumer.position(tp));
                }
                positions = now;
            }
        } catch (WakeupException e) {
            // closing
        } finally {
            consumer.close(Duration.ofSeconds(2));
        }
    }

    /**
     * The run's RunStarted; when it is not known yet, waits until the catalogue has read up to the end
     * offsets {@code endOffsets} gives (the producer of a checkpoint sent the RunStarted before it).
     */
    Optional<RunStarted> find(String runId, Map<TopicPartition, Long> endOffsets, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            RunStarted run = runs.get(runId);
            if (run != null) {
                return Optional.of(run);
            }
            boolean caughtUp = endOffsets.entrySet().stream()
                    .allMatch(e -> positions.getOrDefault(e.getKey(), -1L) >= e.getValue());
            if (caughtUp || System.nanoTime() > deadline) {
                return Optional.ofNullable(runs.get(runId));
            }
            Thread.sleep(20);
        }
    }

    String topic() {
        return topic;
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        try {
            reader.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
