package dev.spectroscope.agent;

import dev.spectroscope.blob.BlobStore;
import dev.spectroscope.blob.FileBlobStore;
import dev.spectroscope.agent.journal.Journal;
import dev.spectroscope.agent.journal.JournalLockedException;
import dev.spectroscope.agent.journal.JournalSender;
import dev.spectroscope.events.EventTypes;
import dev.spectroscope.topics.Topic;
import dev.spectroscope.topics.TopicCatalogue;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The in-job agent. The training thread only builds a small value and offers it to a bounded queue; a
 * writer thread encodes it (Avro), writes checkpoints to the blob store when large, and appends to the
 * write-ahead journal; a sender thread streams the journal to Kafka with an idempotent producer. Kafka
 * being slow or away never blocks the training loop and loses nothing: the journal holds the events until
 * it returns, and a journal left by a crashed or offline run is sent on the next start (or by
 * {@code spectroscope agent sync}). Nothing the agent does throws into the caller after construction.
 *
 * <pre>{@code
 * try (SpectroscopeAgent agent = SpectroscopeAgent.start(AgentConfig.defaults().withBootstrapServers("localhost:9092"))) {
 *     Run run = agent.startRun(RunSpec.named("my-run").model("mlp", Map.of()).trainingSetSize(60_000));
 *     for (...) { run.metrics(step, loss); }
 *     run.finish(RunStatus.FINISHED);
 * }
 * }</pre>
 */
public final class SpectroscopeAgent implements AutoCloseable {

    private final long idPrefix = new java.security.SecureRandom().nextLong();
    private final java.util.concurrent.atomic.AtomicLong idCounter = new java.util.concurrent.atomic.AtomicLong();


    private static final Logger LOG = LoggerFactory.getLogger(SpectroscopeAgent.class);
    static final String VERSION = "0.1.0";

    private final AgentConfig config;
    private final TopicCatalogue catalogue;
    private final List<Topic<? extends SpecificRecord>> topics;
    private final BlobStore blobs;
    private final AgentStats stats = new AgentStats();
    private final BlockingQueue<Pending> queue;
    private final Journal journal;
    private final Producer<byte[], byte[]> producer;
    private final JournalSender sender;
    private final Thread writerThread;
    private final Thread senderThread;
    private final Thread leftoverThread;
    private final Map<String, Run> openRuns = new ConcurrentHashMap<>();
    private final Thread shutdownHook;
    private volatile boolean closed;

    private SpectroscopeAgent(AgentConfig config) {
        EventTypes.init();
        this.config = config;
        this.catalogue = new TopicCatalogue(config.topicPrefix(), TopicCatalogue.DEFAULT_PARTITIONS);
        this.topics = catalogue.all();
        this.blobs = new FileBlobStore(config.blobDir());
        this.queue = new ArrayBlockingQueue<>(config.queueCapacity());
        String name = Instant.now().toString().replace(':', '-') + "-" + UUID.randomUUID().toString().substring(0, 8);
        this.journal = Journal.open(config.spillDir().resolve(name), config.segmentBytes());
        this.writerThread = new Thread(new Writer(this), "spectroscope-agent-writer");
        this.writerThread.setDaemon(true);
        if (config.bootstrapServers() != null) {
            this.producer = newProducer(config);
            this.sender = new JournalSender(journal, producer, topicNames(), catalogue.runs().name(), seq -> stats.sent());
            this.senderThread = new Thread(sender, "spectroscope-agent-sender");
            this.senderThread.setDaemon(true);
            this.leftoverThread = new Thread(this::sendLeftovers, "spectroscope-agent-leftovers");
            this.leftoverThread.setDaemon(true);
        } else {
            this.producer = null;
            this.sender = null;
            this.senderThread = null;
            this.leftoverThread = null;
        }
        this.shutdownHook = new Thread(this::closeFromHook, "spectroscope-agent-shutdown");
    }

    /** Starts the agent: opens its journal, starts the writer and (when a Kafka is configured) the sender. */
    public static SpectroscopeAgent start(AgentConfig config) {
        SpectroscopeAgent agent = new SpectroscopeAgent(config);
        agent.writerThread.start();
        if (agent.senderThread != null) {
            agent.senderThread.start();
            agent.leftoverThread.start();
        }
        Runtime.getRuntime().addShutdownHook(agent.shutdownHook);
        LOG.info("Spectroscope agent started: {}; journal {}", config.bootstrapServers() == null
                ? "offline (events are kept for spectroscope agent sync)" : "sending to " + config.bootstrapServers(),
                agent.journal.dir());
        return agent;
    }

    static Producer<byte[], byte[]> newProducer(AgentConfig config) {
        Map<String, Object> props = new HashMap<>();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        // One request in flight: with several, a first batch refused while a partition's leader settles (after a
        // broker start or restart) lets a later batch through first, and the idempotent producer then retries
        // the first one forever with an out-of-order sequence. The agent's volume fits in one request at a time.
        props.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1);
        props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        props.put(ProducerConfig.LINGER_MS_CONFIG, 20);
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, 64 * 1024);
        props.put(ProducerConfig.BUFFER_MEMORY_CONFIG, 16L * 1024 * 1024);
        // Never give up on a record: an outage of any length ends with everything delivered, in order, once.
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, Integer.MAX_VALUE);
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 5_000);
        props.put(ProducerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 1_000);
        props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 8 * 1024 * 1024);
        props.put(ProducerConfig.CLIENT_ID_CONFIG, "spectroscope-agent");
        props.putAll(config.producerProperties());
        return new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
    }

    private List<String> topicNames() {
        List<String> names = new ArrayList<>();
        for (Topic<? extends SpecificRecord> t : topics) {
            names.add(t.name());
        }
        return names;
    }

    /** Opens a run: sends RunStarted and returns the handle the training loop reports through. */
    public Run startRun(RunSpec spec) {
        String runId = spec.runId() != null ? spec.runId() : spec.name().replaceAll("[^A-Za-z0-9._-]", "-") + "-"
                + UUID.randomUUID().toString().substring(0, 8);
        Run run = new Run(this, runId);
        openRuns.put(runId, run);
        run.started(spec);
        return run;
    }

    public AgentStats stats() {
        return stats;
    }

    public AgentConfig config() {
        return config;
    }

    public TopicCatalogue catalogue() {
        return catalogue;
    }

    public BlobStore blobs() {
        return blobs;
    }

    /** The journal directory of this agent process. */
    public Path journalDir() {
        return journal.dir();
    }

    /** Events accepted but not yet acknowledged by Kafka (queued, or in the journal). */
    public long backlog() {
        return queue.size() + Math.max(0, journal.nextSequence() - journal.acknowledged());
    }

    /**
     * Waits until every event accepted so far is in Kafka (or the timeout passes); returns whether it is.
     * Offline, waits only for the journal.
     */
    public boolean flush(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Pending.Barrier barrier = new Pending.Barrier();
        try {
            if (!queue.offer(barrier, timeout.toMillis(), TimeUnit.MILLISECONDS)
                    || !barrier.latch.await(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                return false;
            }
            if (producer == null) {
                return true;
            }
            long target = barrier.sequence;
            while (System.nanoTime() < deadline) {
                if (journal.acknowledged() >= target) {
                    return true;
                }
                Thread.sleep(10);
            }
            return journal.acknowledged() >= target;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Called by {@link Run}: never blocks, never throws. */
    void offer(Pending pending) {
        if (closed) {
            stats.dropped(pending.eventType(), "the agent is closed");
            return;
        }
        stats.accepted();
        if (!queue.offer(pending)) {
            if (pending.priority() >= Pending.RUN_BOUNDARY) {
                try {
                    // Run boundaries are never dropped; the queue drains in microseconds.
                    if (queue.offer(pending, 1, TimeUnit.SECONDS)) {
                        return;
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            stats.dropped(pending.eventType(), "the agent's queue is full (" + config.queueCapacity()
                    + " events); the journal writer cannot keep up with the disk");
        }
    }

    /**
     * A unique event id without a SecureRandom draw per event: this agent's random 64 bits, then a counter.
     * Two agents share an id only if their random halves collide (2^-64 per pair).
     */
    String nextEventId() {
        return new UUID(idPrefix, idCounter.incrementAndGet()).toString();
    }

    void runFinished(String runId) {
        openRuns.remove(runId);
    }

    /** Drains what is queued into the journal, then gives Kafka up to close.timeout to take it. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        // A job cancelled by interrupting its thread must still end its runs and hand its events over: the
        // interrupt is set aside while closing and restored afterwards, rather than cutting the hand-over short
        // (Kafka's producer would log an error and throw from close).
        boolean interrupted = Thread.interrupted();
        try {
            closeRunsAndClients();
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void closeRunsAndClients() {
        for (Run run : List.copyOf(openRuns.values())) {
            run.finish(dev.spectroscope.events.RunStatus.KILLED);
        }
        closed = true;
        try {
            queue.put(Pending.STOP);
            writerThread.join(30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        journal.flush();
        if (sender != null) {
            sender.stopWhenDrained();
            try {
                senderThread.join(config.closeTimeout().toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            sender.stopNow();
            leftoverThread.interrupt();
            try {
                producer.close(Duration.ofSeconds(5));
            } catch (org.apache.kafka.common.errors.InterruptException e) {
                Thread.currentThread().interrupt(); // interrupted again while closing: stop waiting, keep the journal
            }
            try {
                senderThread.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        long left = journal.nextSequence() - journal.acknowledged();
        if (producer != null && journal.deleteIfDrained()) {
            LOG.info("Spectroscope agent closed: {} events sent", stats.sentCount());
        } else {
            journal.close();
            LOG.warn("Spectroscope agent closed with {} events kept in {}; they are sent on the next start or by "
                    + "'spectroscope agent sync --spill-dir {}'", producer == null ? journal.nextSequence() : left,
                    journal.dir(), config.spillDir());
        }
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shuttingDown) {
            // called from the hook itself
        }
    }

    private void closeFromHook() {
        if (!closed) {
            LOG.info("JVM shutting down: finishing open runs and flushing the journal");
            close();
        }
    }

    /** Sends the journals other (crashed or offline) agent processes left in the spill dir. */
    private void sendLeftovers() {
        List<Path> dirs;
        try (Stream<Path> list = Files.list(config.spillDir())) {
            dirs = list.filter(Files::isDirectory).filter(d -> !d.equals(journal.dir())).sorted().toList();
        } catch (IOException e) {
            return;
        }
        for (Path dir : dirs) {
            if (closed || Thread.currentThread().isInterrupted()) {
                return;
            }
            try {
                AgentSync.Result r = AgentSync.sendJournal(dir, producer, topicNames(), catalogue.runs().name(),
                        Duration.ofMinutes(10));
                if (r.sent() > 0) {
                    LOG.info("Sent {} events left by an earlier run in {}", r.sent(), dir);
                }
            } catch (JournalLockedException busy) {
                // another live agent's journal
            } catch (RuntimeException e) {
                stats.error("leftover-journal", e);
            }
        }
    }

    /** The event's own timestamp field (every event has one), in epoch milliseconds; −1 if it has none. */
    static long timestampOf(SpecificRecord event) {
        org.apache.avro.Schema.Field field = event.getSchema().getField("timestamp");
        Object value = field == null ? null : event.get(field.pos());
        if (value instanceof Instant instant) {
            return instant.toEpochMilli();
        }
        return value instanceof Long millis ? millis : -1;
    }

    // --- the writer thread ---

    private static final class Writer implements Runnable {
        private final SpectroscopeAgent agent;

        Writer(SpectroscopeAgent agent) {
            this.agent = agent;
        }

        @Override
        public void run() {
            List<Pending> batch = new ArrayList<>(1024);
            while (true) {
                try {
                    Pending first = agent.queue.take();
                    if (!(first instanceof Pending.Control) && agent.queue.size() < 64) {
                        // A trickle (a metric per step): gather flush.interval's worth rather than wake for every
                        // event. Each flush wakes this thread, the sender and Kafka's network thread, and on the
                        // cores the training job runs on those wake-ups, not the bytes, are the agent's main cost.
                        Thread.sleep(agent.config.flushInterval().toMillis());
                    }
                    batch.add(first);
                    agent.queue.drainTo(batch, 1023);
                    boolean stop = false;
                    for (Pending p : batch) {
                        if (p == Pending.STOP) {
                            stop = true;
                        } else if (p instanceof Pending.Barrier barrier) {
                            agent.journal.flush();
                            barrier.sequence = agent.journal.nextSequence();
                            barrier.latch.countDown();
                        } else {
                            write(p);
                        }
                    }
                    batch.clear();
                    agent.journal.flush();
                    if (stop) {
                        return;
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                } catch (RuntimeException e) {
                    agent.stats.error("journal-writer", e);
                    batch.clear();
                }
            }
        }

        private void write(Pending p) {
            try {
                long onDisk = agent.journal.bytesOnDisk();
                long budget = agent.config.diskBudgetBytes();
                if (p.priority() < Pending.RUN_BOUNDARY && onDisk > budget
                        && (p.priority() == Pending.METRICS || onDisk > budget + budget / 10)) {
                    agent.stats.dropped(p.eventType(), "the journal holds " + onDisk + " bytes, over its budget of "
                            + budget + " (spill.max.bytes); is Kafka reachable?");
                    return;
                }
                SpecificRecord event = p.build(agent, agent.nextEventId());
                @SuppressWarnings("unchecked")
                Topic<SpecificRecord> topic = (Topic<SpecificRecord>) agent.catalogue.topicFor(event.getClass());
                byte[] value = topic.valueSerde().serializer().serialize(topic.name(), event);
                agent.journal.append((byte) agent.topics.indexOf(topic), p.key(), value, timestampOf(event));
                agent.stats.written();
            } catch (RuntimeException e) {
                agent.stats.error("encode-" + p.eventType(), e);
            }
        }
    }
}
