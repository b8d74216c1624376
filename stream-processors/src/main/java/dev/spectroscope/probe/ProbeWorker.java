package dev.spectroscope.probe;

import dev.spectroscope.blob.FileBlobStore;
import dev.spectroscope.deadletter.DeadLetters;
import dev.spectroscope.events.Checkpoint;
import dev.spectroscope.events.DeadLetter;
import dev.spectroscope.events.EventCodec;
import dev.spectroscope.events.EventDecodingException;
import dev.spectroscope.events.EventTypes;
import dev.spectroscope.events.RunStarted;
import dev.spectroscope.events.SgldChain;
import dev.spectroscope.topics.TopicCatalogue;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code spectroscope probe-worker}: reads Checkpoint events as a consumer group, samples SGLD chains around
 * each (off the polling thread) and sends them as SgldChain events.
 *
 * <p>Long sampling never gets the worker thrown out of its group: while a checkpoint is sampled the
 * consumer's partitions are paused and it keeps polling. Each checkpoint's chains (or its dead letter) and
 * its offset are committed in one Kafka transaction, so a worker that dies mid-sampling leaves no chain
 * behind, and its successor redoes the checkpoint. More workers in the group share the partitions.
 */
public final class ProbeWorker implements AutoCloseable {

    public static final String APPLICATION = "probe-worker";
    private static final Logger LOG = LoggerFactory.getLogger(ProbeWorker.class);

    private final ProbeWorkerSettings settings;
    private final TopicCatalogue topics;
    private final KafkaConsumer<String, byte[]> consumer;
    private final KafkaProducer<String, byte[]> producer;
    private final RunCatalog catalog;
    private final CheckpointProber prober;
    private final EventCodec<Checkpoint> checkpoints = EventCodec.of(Checkpoint.class);
    @SuppressWarnings("unchecked")
    private final EventCodec<SpecificRecord> events = EventCodec.anyOf(EventTypes.all().toArray(Class[]::new));
    private final ExecutorService sampling = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "probe-sampling");
        t.setDaemon(true);
        return t;
    });
    private final Deque<ConsumerRecord<String, byte[]>> queue = new ArrayDeque<>();
    private final AtomicLong probed = new AtomicLong();
    private final Thread loop;
    private volatile boolean running = true;
    private ConsumerRecord<String, byte[]> current;
    private CompletableFuture<List<SpecificRecord>> work;

    private ProbeWorker(ProbeWorkerSettings settings) {
        this.settings = settings;
        this.topics = new TopicCatalogue(settings.topicPrefix(), TopicCatalogue.DEFAULT_PARTITIONS);
        Properties common = new Properties();
        common.putAll(settings.kafka());
        common.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
        Properties c = new Properties();
        c.putAll(common);
        c.put(ConsumerConfig.GROUP_ID_CONFIG, settings.groupId());
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 16);
        // A worker killed with SIGKILL is noticed in 10 s rather than 45, so its partitions move on quickly.
        c.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 10_000);
        c.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 2_000);
        c.putAll(settings.kafka()); // the operator's word is last
        this.consumer = new KafkaConsumer<>(c, new StringDeserializer(), new ByteArrayDeserializer());
        Properties p = new Properties();
        p.putAll(common);
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, settings.groupId() + "-" + UUID.randomUUID());
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        // A transaction spans only the sends and the commit of one checkpoint (sampling happens before it).
        // Killed inside one, its successor cannot fence a random transactional id, and read_committed readers
        // of the probes wait for the broker to abort it: 10 s rather than the default minute.
        p.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, 10_000);
        p.putAll(settings.kafka());
        this.producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
        producer.initTransactions();
        this.catalog = new RunCatalog(common, topics.runs().name());
        this.prober = new CheckpointProber(new FileBlobStore(settings.blobDir()), settings.threads());
        this.loop = new Thread(this::run, "probe-worker");
    }

    public static ProbeWorker start(ProbeWorkerSettings settings) {
        EventTypes.init();
        ProbeWorker worker = new ProbeWorker(settings);
        worker.loop.start();
        LOG.info("probe worker in group {} started against {} ({} sampling threads)", settings.groupId(),
                settings.bootstrapServers(), settings.threads());
        return worker;
    }

    /** Checkpoints probed (or dead-lettered) and committed so far. */
    public long probedCount() {
        return probed.get();
    }

    private void run() {
        consumer.subscribe(List.of(topics.checkpoints().name()), new ConsumerRebalanceListener() {
            @Override
            public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                // Work on a partition that is no longer ours is dropped; its new owner redoes it.
                queue.removeIf(r -> partitions.contains(new TopicPartition(r.topic(), r.partition())));
                if (current != null && partitions.contains(new TopicPartition(current.topic(), current.partition()))) {
                    abandon();
                }
            }

            @Override
            public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                if (current != null || !queue.isEmpty()) {
                    consumer.pause(partitions);
                }
            }
        });
        try {
            while (running) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                    queue.add(r);
                }
                if (current == null && !queue.isEmpty()) {
                    begin(queue.poll());
                }
                if (current != null && work.isDone()) {
                    finish();
                }
            }
        } catch (WakeupException e) {
            // closing
        } catch (RuntimeException e) {
            LOG.error("probe worker stopped: {}", e.toString());
        } finally {
            abandon();
            consumer.close(Duration.ofSeconds(5));
            producer.close(Duration.ofSeconds(5));
        }
    }

    private void begin(ConsumerRecord<String, byte[]> record) {
        current = record;
        consumer.pause(consumer.assignment());
        Map<TopicPartition, Long> runsEnd = consumer.endOffsets(consumer.partitionsFor(topics.runs().name()).stream()
                .map(i -> new TopicPartition(i.topic(), i.partition())).toList());
        work = CompletableFuture.supplyAsync(() -> process(record, runsEnd), sampling);
    }

    /** The events to send for one checkpoint record: its chains, or one dead letter. */
    private List<SpecificRecord> process(ConsumerRecord<String, byte[]> record, Map<TopicPartition, Long> runsEnd) {
        Checkpoint checkpoint;
        try {
            checkpoint = checkpoints.decode(record.topic(), record.value());
        } catch (EventDecodingException e) {
            return List.of(deadLetter(record, record.key(), e.problem().code(), e.getMessage()));
        }
        try {
            Optional<RunStarted> run = catalog.find(checkpoint.getRunId(), runsEnd, settings.runWait());
            if (run.isEmpty()) {
                return List.of(deadLetter(record, checkpoint.getRunId(), DeadLetters.UNKNOWN_RUN, "checkpoint of run "
                        + checkpoint.getRunId() + " at step " + checkpoint.getStep() + ": no RunStarted for that run in "
                        + catalog.topic()));
            }
            long started = System.nanoTime();
            List<SgldChain> chains = prober.probe(run.get(), checkpoint);
            if (!chains.isEmpty()) {
                LOG.info("run {} step {}: {} chains in {} ms", checkpoint.getRunId(), checkpoint.getStep(),
                        chains.size(), (System.nanoTime() - started) / 1_000_000);
            }
            return List.copyOf(chains);
        } catch (ProbeFailure e) {
            return List.of(deadLetter(record, checkpoint.getRunId(), e.errorType(), e.getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (RuntimeException e) {
            if (!running || e.getCause() instanceof InterruptedException) {
                throw e; // stopped, not failed: the transaction is abandoned and the next start redoes the checkpoint
            }
            return List.of(deadLetter(record, checkpoint.getRunId(), DeadLetters.PROCESSING_FAILED,
                    "sampling run " + checkpoint.getRunId() + " step " + checkpoint.getStep() + " failed: " + e));
        }
    }

    private void finish() {
        ConsumerRecord<String, byte[]> record = current;
        List<SpecificRecord> out;
        try {
            out = work.join();
        } catch (RuntimeException e) {
            if (running) {
                LOG.warn("sampling of {}-{}@{} was interrupted; it will be redone", record.topic(), record.partition(),
                        record.offset());
            } else {
                LOG.info("sampling of {}-{}@{} stopped by shutdown; the next start redoes it", record.topic(),
                        record.partition(), record.offset());
            }
            abandon();
            return;
        }
        try {
            producer.beginTransaction();
            for (SpecificRecord event : out) {
                String topic = event instanceof DeadLetter ? topics.deadLetters().name() : topics.chains().name();
                producer.send(new ProducerRecord<>(topic, record.key(), events.encode(event)));
            }
            producer.sendOffsetsToTransaction(Map.of(new TopicPartition(record.topic(), record.partition()),
                    new OffsetAndMetadata(record.offset() + 1)), consumer.groupMetadata());
            producer.commitTransaction();
            probed.incrementAndGet();
        } catch (KafkaException e) {
            LOG.warn("could not commit the chains of {}-{}@{} ({}); the checkpoint will be redone", record.topic(),
                    record.partition(), record.offset(), e.toString());
            try {
                producer.abortTransaction();
            } catch (KafkaException ignored) {
                // fenced or closing: nothing to abort
            }
            rewind(record);
        }
        current = null;
        work = null;
        if (queue.isEmpty()) {
            consumer.resume(consumer.paused());
        }
    }

    private void abandon() {
        if (work != null) {
            work.cancel(true);
        }
        if (current != null) {
            rewind(current);
        }
        current = null;
        work = null;
    }

    /** Reads a record's partition again from that record on (dropping what was queued after it). */
    private void rewind(ConsumerRecord<String, byte[]> record) {
        TopicPartition tp = new TopicPartition(record.topic(), record.partition());
        queue.removeIf(r -> r.partition() == record.partition() && r.topic().equals(record.topic()));
        if (consumer.assignment().contains(tp)) {
            consumer.seek(tp, record.offset());
        }
    }

    private DeadLetter deadLetter(ConsumerRecord<String, byte[]> record, String runId, String type, String reason) {
        LOG.warn("dead letter from {}-{}@{}: {}", record.topic(), record.partition(), record.offset(), reason);
        return DeadLetters.of(APPLICATION, record.topic(), record.partition(), record.offset(),
                DeadLetters.keyBytes(record.key()), record.value(), runId, type, reason);
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        try {
            loop.join(15_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        catalog.close();
        sampling.shutdownNow();
        LOG.info("probe worker stopped after {} checkpoints", probed.get());
    }
}
