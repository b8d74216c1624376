package dev.spectroscope.sink;

import java.util.List;
import org.apache.avro.specific.SpecificRecord;

/** One sink: what it reads and what it does with a batch of decoded events. */
public interface RecordSink extends AutoCloseable {

    /** Names the sink in logs, metrics and its consumer group. */
    String name();

    /** Full topic names it reads. */
    List<String> topics();

    /**
     * Handles a batch. Offsets are committed once this returns; a sink that must retry (a receiver down)
     * does so inside, calling {@link SinkContext#waitAlive} so its consumer keeps its group membership.
     */
    void accept(List<SinkRecord> batch, SinkContext context) throws InterruptedException;

    /** Called after offsets for everything accepted so far were committed, and on idle polls. */
    default void flushed() {
    }

    @Override
    default void close() {
    }

    /** A decoded event and where it came from. */
    record SinkRecord(String topic, int partition, long offset, String key, byte[] raw, SpecificRecord event) {
        public String where() {
            return topic + "/" + partition + "@" + offset;
        }
    }
}
