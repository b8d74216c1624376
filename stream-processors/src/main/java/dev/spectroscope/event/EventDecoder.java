package dev.spectroscope.event;

import dev.spectroscope.deadletter.DeadLetters;
import dev.spectroscope.events.EventCodec;
import dev.spectroscope.events.EventDecodingException;
import java.util.List;
import java.util.Set;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The first node after every source: decodes the raw bytes with the topic's codec and forwards the event;
 * a record that does not decode (corrupt bytes, unknown schema version, wrong event type) goes to the
 * dead-letter sink with the reason and its raw bytes, and processing goes on.
 */
public final class EventDecoder implements Processor<byte[], byte[], String, SpecificRecord> {

    /** Header carrying the record's raw value to the processors downstream; never written to a topic. */
    public static final String RAW_HEADER = "spectroscope.raw";

    private static final Logger LOG = LoggerFactory.getLogger(EventDecoder.class);

    private final String application;
    private final EventCodec<? extends SpecificRecord> codec;
    private final String deadLetterSink;
    private final List<String> children;
    private final Set<Class<? extends SpecificRecord>> skipped;
    private ProcessorContext<String, SpecificRecord> context;

    /**
     * @param deadLetterSink the child that takes dead letters, or null to skip bad records silently
     * @param children       the children that take decoded events (by name: the dead-letter sink is a child too)
     */
    public EventDecoder(String application, EventCodec<? extends SpecificRecord> codec, String deadLetterSink,
                        List<String> children) {
        this(application, codec, deadLetterSink, children, Set.of());
    }

    /** @param skipped event types no child wants: recognised by their header and dropped undecoded */
    public EventDecoder(String application, EventCodec<? extends SpecificRecord> codec, String deadLetterSink,
                        List<String> children, Set<Class<? extends SpecificRecord>> skipped) {
        this.application = application;
        this.codec = codec;
        this.deadLetterSink = deadLetterSink;
        this.children = List.copyOf(children);
        this.skipped = Set.copyOf(skipped);
    }

    @Override
    public void init(ProcessorContext<String, SpecificRecord> context) {
        this.context = context;
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        String topic = context.recordMetadata().map(RecordMetadata::topic).orElse("?");
        String key = DeadLetters.keyText(record.key());
        if (!skipped.isEmpty() && EventCodec.peekType(record.value()).filter(skipped::contains).isPresent()) {
            return;
        }
        SpecificRecord event;
        try {
            event = codec.decode(topic, record.value());
        } catch (EventDecodingException e) {
            if (deadLetterSink == null) {
                LOG.debug("skipping an unreadable record of {} (another application dead-letters it): {}", topic,
                        e.getMessage());
                return;
            }
            DeadLetterForwarder.forward(context, deadLetterSink, application,
                    new Record<>(key, null, record.timestamp()), record.value(), () -> null, key, e.problem().code(),
                    e.getMessage());
            return;
        }
        Record<String, SpecificRecord> decoded = new Record<>(key, event, record.timestamp());
        // The bytes ride along (a reference, not a copy) for processors that store the event as it came.
        decoded.headers().add(RAW_HEADER, record.value());
        for (String child : children) {
            context.forward(decoded, child);
        }
    }
}
