package dev.spectroscope.event;

import dev.spectroscope.deadletter.DeadLetters;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Sends the record a processor is on to the dead-letter sink, with where it came from and why. */
public final class DeadLetterForwarder {

    private static final Logger LOG = LoggerFactory.getLogger(DeadLetterForwarder.class);

    private DeadLetterForwarder() {
    }

    /**
     * @param value    the record's raw bytes, or null to take them from the decoder's header (or re-encode)
     * @param fallback encodes the event when neither raw bytes nor the header are at hand
     */
    public static void forward(ProcessorContext<String, SpecificRecord> context, String sink, String application,
                               Record<String, ?> record, byte[] value,
                               java.util.function.Supplier<byte[]> fallback, String runId, String type,
                               String reason) {
        String topic = context.recordMetadata().map(RecordMetadata::topic).orElse("?");
        int partition = context.recordMetadata().map(RecordMetadata::partition).orElse(-1);
        long offset = context.recordMetadata().map(RecordMetadata::offset).orElse(-1L);
        byte[] bytes = value;
        if (bytes == null) {
            Header raw = record.headers().lastHeader(EventDecoder.RAW_HEADER);
            bytes = raw != null ? raw.value() : fallback.get();
        }
        forwardFrom(context, sink, application, record.key(), bytes, record.timestamp(), topic, partition, offset, runId,
                type, reason);
    }

    /**
     * The same for a record no longer being processed (one a processor held and gives up on in a punctuation):
     * its source is given, not read from the context.
     */
    public static void forwardFrom(ProcessorContext<String, SpecificRecord> context, String sink, String application,
                                   String key, byte[] bytes, long timestamp, String topic, int partition, long offset,
                                   String runId, String type, String reason) {
        LOG.warn("dead letter from {}-{}@{} (run {}): {}", topic, partition, offset, runId, reason);
        context.forward(new Record<String, SpecificRecord>(key, DeadLetters.of(application, topic, partition, offset,
                DeadLetters.keyBytes(key), bytes, runId, type, reason), timestamp), sink);
    }
}
