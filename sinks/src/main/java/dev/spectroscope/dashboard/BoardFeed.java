package dev.spectroscope.dashboard;

import dev.spectroscope.events.EventCodec;
import dev.spectroscope.events.EventDecodingException;
import dev.spectroscope.events.SgldChain;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads every partition of the charted topics from the start, without a consumer group, into the board:
 * a restarted sink app shows every run's full history at once. The chains topic is not charted; SGLD chains
 * that builds before 2026-12-02 wrote to the probes topic are skipped by their header, before decoding.
 */
public final class BoardFeed implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(BoardFeed.class);
    private static final EventCodec<SpecificRecord> EVENTS = EventCodec.anyEvent();

    private final KafkaConsumer<String, byte[]> consumer;
    private final KafkaClientMetrics clientMetrics;
    private final RunBoard board;
    private final List<String> topics;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile boolean caughtUp;

    public BoardFeed(String bootstrapServers, Map<String, String> kafka, List<String> topics, RunBoard board,
                     MeterRegistry registry) {
        Properties p = new Properties();
        p.putAll(kafka);
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "spectroscope-sinks-board");
        this.consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
        this.clientMetrics = new KafkaClientMetrics(consumer);
        clientMetrics.bindTo(registry);
        this.board = board;
        this.topics = List.copyOf(topics);
        this.thread = new Thread(this::run, "sink-board");
        this.thread.setDaemon(true);
    }

    public void start() {
        thread.start();
    }

    /** True once everything that was in the topics when the feed started has been read. */
    public boolean caughtUp() {
        return caughtUp;
    }

    private void run() {
        try {
            List<TopicPartition> partitions = new ArrayList<>();
            for (String topic : topics) {
                for (PartitionInfo info : consumer.partitionsFor(topic, Duration.ofSeconds(60))) {
                    partitions.add(new TopicPartition(topic, info.partition()));
                }
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            boolean warned = false;
            while (running) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(250))) {
                    Optional<Class<? extends SpecificRecord>> type = EventCodec.peekType(r.value());
                    if (type.isPresent() && type.get() == SgldChain.class) {
                        continue;
                    }
                    try {
                        board.apply(EVENTS.decode(r.topic(), r.value()));
                    } catch (EventDecodingException e) {
                        if (!warned) {
                            LOG.warn("Dashboard skips records that do not decode, first at {}/{}@{}: {}", r.topic(),
                                    r.partition(), r.offset(), e.getMessage());
                            warned = true;
                        }
                    }
                }
                if (!caughtUp && end.entrySet().stream().allMatch(e -> consumer.position(e.getKey()) >= e.getValue())) {
                    caughtUp = true;
                }
            }
        } catch (WakeupException e) {
            // closing
        } catch (RuntimeException e) {
            LOG.error("Dashboard feed stopped: {}", e.toString());
        } finally {
            clientMetrics.close();
            consumer.close(Duration.ofSeconds(5));
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
