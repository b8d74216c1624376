package dev.spectroscope.transition;

import dev.spectroscope.events.EventCodec;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Events of a run whose RunStarted has not been seen yet, held for a moment instead of dead-lettered at once
 * (state store {@code events-awaiting-run-start}, changelogged).
 *
 * <p>Why: a run's events are spread over several topics (runs, metrics, probes, estimates) whose partitions a
 * task fetches separately, possibly from different brokers. The agent sends RunStarted first and waits for its
 * acknowledgement, and record timestamps order what a task has fetched, but a fetch of the runs partition that
 * is not yet in flight when a concept probe arrives lets the probe through first. It would then be dead-lettered
 * as belonging to an unknown run although its RunStarted is a few milliseconds behind. Held events go through
 * the run's normal path, in arrival order, as soon as its RunStarted arrives; those whose run has not started
 * after {@link #WAIT} are dead letters, as before.
 */
final class AwaitingRunStart {

    static final String STORE = "events-awaiting-run-start";
    /** How long an event waits for its run's RunStarted: far above a fetch round trip, far below an operator's patience. */
    static final Duration WAIT = Duration.ofSeconds(10);

    /** A held event with where it came from, so that its dead letter names its own source. */
    record Held(String key, SpecificRecord event, long timestamp, long heldAtWallMillis, String topic, int partition,
                long offset, byte[] bytes) {
    }

    private final KeyValueStore<String, byte[]> store;
    private final EventCodec<SpecificRecord> codec;

    AwaitingRunStart(KeyValueStore<String, byte[]> store, EventCodec<SpecificRecord> codec) {
        this.store = store;
        this.codec = codec;
    }

    /** Holds an event of run {@code runId}; {@code bytes} are its raw value (or its encoding). */
    void hold(String runId, String recordKey, byte[] bytes, long timestamp, long nowWallMillis, String topic,
              int partition, long offset) {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream(bytes.length + 64);
        try (DataOutputStream out = new DataOutputStream(buffer)) {
            out.writeUTF(recordKey == null ? "" : recordKey);
            out.writeLong(timestamp);
            out.writeLong(nowWallMillis);
            out.writeUTF(topic);
            out.writeInt(partition);
            out.writeLong(offset);
            out.writeInt(bytes.length);
            out.write(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        // Keyed by run, then arrival: a prefix scan gives one run's events in the order they came.
        store.put(runId + '\u0000' + padded(nowWallMillis) + '\u0000' + topic + '\u0000' + partition + '\u0000'
                + padded(offset), buffer.toByteArray());
    }

    /** Takes the events held for {@code runId} out of the store, in arrival order. */
    List<Held> release(String runId) {
        List<KeyValue<String, byte[]>> entries = new ArrayList<>();
        try (KeyValueIterator<String, byte[]> it = store.prefixScan(runId + '\u0000', Serdes.String().serializer())) {
            it.forEachRemaining(entries::add);
        }
        List<Held> out = new ArrayList<>();
        for (KeyValue<String, byte[]> entry : entries) {
            store.delete(entry.key);
            out.add(read(entry.value));
        }
        return out;
    }

    /** Takes out the events that have waited at least {@link #WAIT} at {@code nowWallMillis}. */
    List<Held> expired(long nowWallMillis) {
        List<KeyValue<String, byte[]>> entries = new ArrayList<>();
        try (KeyValueIterator<String, byte[]> it = store.all()) {
            it.forEachRemaining(entries::add);
        }
        List<Held> out = new ArrayList<>();
        for (KeyValue<String, byte[]> entry : entries) {
            // The key carries when it was held (run, held-at, source): only the expired ones are decoded.
            long heldAt = Long.parseLong(entry.key.split("\u0000", 3)[1]);
            if (nowWallMillis - heldAt >= WAIT.toMillis()) {
                store.delete(entry.key);
                out.add(read(entry.value));
            }
        }
        return out;
    }

    private Held read(byte[] value) {
        try (DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(value))) {
            String key = in.readUTF();
            long timestamp = in.readLong();
            long heldAt = in.readLong();
            String topic = in.readUTF();
            int partition = in.readInt();
            long offset = in.readLong();
            byte[] bytes = in.readNBytes(in.readInt());
            return new Held(key.isEmpty() ? null : key, codec.decode(topic, bytes), timestamp, heldAt, topic,
                    partition, offset, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String padded(long value) {
        String digits = Long.toString(Math.max(0, value));
        return "0".repeat(Math.max(0, 19 - digits.length())) + digits;
    }
}
