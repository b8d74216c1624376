package dev.spectroscope.agent.journal;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RetriableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends a journal to Kafka in order, from its acknowledged position on, and moves that position as Kafka
 * acknowledges. The producer is idempotent and never gives up on a record (unbounded delivery timeout), so
 * while Kafka is away records wait in the producer and then in the journal, and arrive exactly once when
 * it returns. A restart resends only what was not acknowledged.
 */
public final class JournalSender implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(JournalSender.class);
    private static final int BATCH = 500;

    private final Journal journal;
    private final Producer<byte[], byte[]> producer;
    private final List<String> topics;
    private final int boundaryTopicIndex;
    private final LongConsumer onSent;
    private final ConcurrentSkipListSet<Long> inFlight = new ConcurrentSkipListSet<>();
    private final AtomicLong rewindTo = new AtomicLong(Long.MAX_VALUE);
    private volatile boolean stopWhenDrained;
    private volatile boolean stopNow;
    private volatile Throwable lastError;
    private Exception refusedAtSend;
    private long next;

    /**
     * @param topics        topic names by the index stored in the journal
     * @param boundaryTopic the topic of run boundaries (RunStarted, RunEnded): a record to it is acknowledged
     *                      before anything after it is sent, or null
     * @param onSent        called once per acknowledged record (for counters)
     */
    public JournalSender(Journal journal, Producer<byte[], byte[]> producer, List<String> topics, String boundaryTopic,
                         LongConsumer onSent) {
        this.journal = journal;
        this.producer = producer;
        this.topics = topics;
        this.boundaryTopicIndex = topics.indexOf(boundaryTopic); // −1 (never) when null or absent
        this.onSent = onSent;
    }

    /** Finish once everything written so far is acknowledged. */
    public void stopWhenDrained() {
        stopWhenDrained = true;
    }

    /** Stop at once; unacknowledged records stay in the journal. */
    public void stopNow() {
        stopNow = true;
    }

    public Throwable lastError() {
        return lastError;
    }

    @Override
    public void run() {
        next = journal.acknowledged();
        long lastCommit = System.nanoTime();
        try {
            while (!stopNow) {
                long rewind = rewindTo.getAndSet(Long.MAX_VALUE);
                if (rewind != Long.MAX_VALUE) {
                    producer.flush();
                    inFlight.clear();
                    next = Math.min(next, rewind);
                    LOG.warn("Journal {}: resending from record {} after a failed delivery ({})", journal.dir(), next,
                            lastError == null ? "no reason given" : lastError.toString());
                }
                // The writer's flushes wake this thread (the journal notifies): it sleeps through a quiet journal
                // and only wakes early to record acknowledgements of what is still in flight.
                List<Journal.Entry> entries = journal.read(next, BATCH, inFlight.isEmpty() ? 1_000 : 50);
                for (Journal.Entry e : entries) {
                    if (stopNow) {
                        break;
                    }
                    send(e);
                    next = e.sequence() + 1;
                    if (e.topic() == boundaryTopicIndex) {
                        // A run's events go to several topics, and those partitions may live on different brokers:
                        // sent in one flush, a concept score can be readable before its RunStarted, and a processor
                        // that has not seen the RunStarted dead-letters it as an unknown run. The boundary is in
                        // Kafka before anything after it leaves.
                        producer.flush();
                    }
                }
                if (System.nanoTime() - lastCommit > 100_000_000L || entries.isEmpty()) {
                    commit();
                    lastCommit = System.nanoTime();
                }
                if (stopWhenDrained && entries.isEmpty()) {
                    producer.flush();
                    commit();
                    if (journal.drained()) {
                        return;
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            commit();
        }
    }

    private void send(Journal.Entry e) throws InterruptedException {
        // The event's own time, not the send's: a flush sends a second's events in the same millisecond, and Kafka
        // Streams orders a run's events across topics by these timestamps.
        ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(topics.get(e.topic()), null,
                e.timestamp() >= 0 ? e.timestamp() : null, e.key().getBytes(StandardCharsets.UTF_8), e.value());
        long sequence = e.sequence();
        inFlight.add(sequence);
        Thread self = Thread.currentThread();
        while (!stopNow) {
            refusedAtSend = null;
            try {
                producer.send(record, (metadata, exception) -> {
                    if (exception != null && Thread.currentThread() == self) {
                        // Refused inside send() itself (Kafka calls back on the caller's thread, e.g. when the topic's
                        // metadata did not come within max.block.ms): the record never entered the producer, so it is
                        // sent again from here, before anything after it. Rewinding instead would resend the records
                        // that went out meanwhile, once Kafka answered, and duplicate them.
                        refusedAtSend = exception;
                    } else if (exception != null && stopNow) {
                        // Closing: the producer aborts what it still holds. Those records were not delivered; they
                        // stay unacknowledged in the journal for the next start or agent sync.
                        lastError = exception;
                    } else if (exception == null) {
                        inFlight.remove(sequence);
                        onSent.accept(sequence);
                    } else if (exception instanceof RetriableException) {
                        // Only with a bounded delivery timeout; resend from here rather than lose it.
                        lastError = exception;
                        rewindTo.accumulateAndGet(sequence, Math::min);
                    } else {
                        lastError = exception;
                        inFlight.remove(sequence);
                        LOG.error("Journal {}: Kafka refused record {} for good ({}); it is skipped",
                                journal.dir(), sequence, exception.getMessage());
                    }
                });
                Exception refused = refusedAtSend;
                if (refused == null) {
                    return;
                }
                lastError = refused;
                if (!(refused instanceof RetriableException)) {
                    inFlight.remove(sequence);
                    LOG.error("Journal {}: Kafka refused record {} for good ({}); it is skipped", journal.dir(),
                            sequence, refused.getMessage());
                    return;
                }
                Thread.sleep(100); // a refusal that did not wait (most wait max.block.ms) is not retried in a spin
            } catch (org.apache.kafka.common.errors.TimeoutException timeout) {
                // Kafka is away: send() waited max.block.ms for metadata or buffer space. The record is still in
                // the journal; try again.
                lastError = timeout;
            } catch (org.apache.kafka.common.KafkaException closed) {
                if (stopNow) {
                    return;
                }
                throw closed;
            }
        }
    }

    /** Everything below the smallest unacknowledged sequence is safe in Kafka. */
    private void commit() {
        Long first = inFlight.isEmpty() ? null : inFlight.first();
        long safe = first == null ? next : first;
        if (rewindTo.get() != Long.MAX_VALUE) {
            safe = Math.min(safe, rewindTo.get());
        }
        journal.acknowledge(safe);
    }
}
