package dev.spectroscope.sink;

import dev.spectroscope.events.EventCodec;
import dev.spectroscope.events.EventDecodingException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Feeds one sink from its own consumer group on its own thread: poll, decode, hand the batch over, commit.
 * At-least-once by construction; sinks that must not repeat themselves (webhooks) keep their own ledger.
 */
final class SinkLoop implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SinkLoop.class);
    private static final EventCodec<SpecificRecord> EVENTS = EventCodec.anyEvent();

    private final RecordSink sink;
    private final KafkaConsumer<String, byte[]> consumer;
    private final KafkaClientMetrics clientMetrics;
    private final DeadLetterPublisher deadLetters;
    private final Thread thread;
    private final Counter records;
    private final Counter undecodable;
    private final Set<String> loggedKinds = ConcurrentHashMap.newKeySet();
    private volatile boolean running = true;

    SinkLoop(RecordSink sink, SinksSettings settings, MeterRegistry registry, DeadLetterPublisher deadLetters) {
        this.sink = sink;
        this.deadLetters = deadLetters;
        Properties p = new Properties();
        p.putAll(settings.kafka());
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, settings.groupPrefix() + "-" + sink.name());
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, settings.groupPrefix() + "-" + sink.name());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 500);
        this.consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
        this.clientMetrics = new KafkaClientMetrics(consumer);
        clientMetrics.bindTo(registry);
        this.records = Counter.builder("spectroscope.sink.records").tag("sink", sink.name())
                .description("Events handed to the sink").register(registry);
        this.undecodable = Counter.builder("spectroscope.sink.undecodable").tag("sink", sink.name())
                .description("Records the sink skipped because they do not decode (the processors dead-letter them)")
                .register(registry);
        this.thread = new Thread(this::run, "sink-" + sink.name());
        this.thread.setDaemon(true);
    }

    void start() {
        consumer.subscribe(sink.topics());
        thread.start();
    }

    private void run() {
        Context context = new Context();
        try {
            while (running) {
                ConsumerRecords<String, byte[]> polled = consumer.poll(Duration.ofMillis(250));
                if (polled.isEmpty()) {
                    sink.flushed();
                    continue;
                }
                List<RecordSink.SinkRecord> batch = decode(polled);
                try {
                    sink.accept(batch, context);
                } catch (RuntimeException e) {
                    // Not expected: rewind and try the batch again rather than lose it.
                    LOG.warn("Sink {} failed on a batch ({}); retrying it in 5 s", sink.name(), e.toString());
                    rewind(polled);
                    context.waitAlive(Duration.ofSeconds(5));
                    continue;
                }
                records.increment(batch.size());
                if (!running) {
                    break; // a batch cut short by shutdown is not committed; the next start redoes it
                }
                try {
                    consumer.commitSync();
                    sink.flushed();
                } catch (CommitFailedException e) {
                    LOG.info("Sink {}: partitions moved to another instance before the commit; it redoes the "
                            + "batch (deliveries are deduplicated)", sink.name());
                }
            }
        } catch (WakeupException e) {
            // closing
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.error("Sink {} stopped: {}", sink.name(), e.toString());
        } finally {
            try {
                sink.close();
            } catch (RuntimeException e) {
                LOG.warn("Closing sink {} failed: {}", sink.name(), e.getMessage());
            }
            clientMetrics.close();
            consumer.close(Duration.ofSeconds(5));
        }
    }

    private List<RecordSink.SinkRecord> decode(ConsumerRecords<String, byte[]> polled) {
        List<RecordSink.SinkRecord> batch = new ArrayList<>(polled.count());
        for (ConsumerRecord<String, byte[]> r : polled) {
            try {
                SpecificRecord event = EVENTS.decode(r.topic(), r.value());
                batch.add(new RecordSink.SinkRecord(r.topic(), r.partition(), r.offset(), r.key(), r.value(), event));
            } catch (EventDecodingException e) {
                undecodable.increment();
                if (loggedKinds.add(r.topic())) {
                    LOG.warn("Sink {} skips records of {} that do not decode, first at {}/{}@{}: {} (the processors "
                            + "dead-letter them; this is said once per topic)", sink.name(), r.topic(), r.topic(),
                            r.partition(), r.offset(), e.getMessage());
                }
            }
        }
        return batch;
    }

    private void rewind(ConsumerRecords<String, byte[]> polled) {
        for (TopicPartition tp : polled.partitions()) {
            consumer.seek(tp, polled.records(tp).get(0).offset());
        }
    }

    private final class Context implements SinkContext {
        @Override
        public boolean running() {
            return running;
        }

        @Override
        public void waitAlive(Duration duration) throws InterruptedException {
            Set<TopicPartition> assigned = consumer.assignment();
            consumer.pause(assigned);
            long deadline = System.nanoTime() + duration.toNanos();
            try {
                while (running && System.nanoTime() < deadline) {
                    long left = Math.max(1, (deadline - System.nanoTime()) / 1_000_000);
                    ConsumerRecords<String, byte[]> stray = consumer.poll(Duration.ofMillis(Math.min(left, 250)));
                    if (!stray.isEmpty()) {
                        // Partitions newly assigned in a rebalance are not paused: put their records back.
                        Map<TopicPartition, Long> first = new HashMap<>();
                        for (ConsumerRecord<String, byte[]> r : stray) {
                            first.merge(new TopicPartition(r.topic(), r.partition()), r.offset(), Math::min);
                        }
                        first.forEach(consumer::seek);
                        consumer.pause(consumer.assignment());
                    }
                }
            } catch (WakeupException e) {
                throw new InterruptedException("sink " + sink.name() + " is closing");
            } finally {
                consumer.resume(consumer.assignment());
            }
        }

        @Override
        public void deadLetter(RecordSink.SinkRecord record, String runId, String errorType, String reason) {
            deadLetters.publish(sink.name(), record, runId, errorType, reason);
        }
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
