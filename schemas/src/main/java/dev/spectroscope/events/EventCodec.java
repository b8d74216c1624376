package dev.spectroscope.events;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecord;

/**
 * Avro single-object encoding (a 2-byte marker, the 8-byte schema fingerprint, the binary body) for a
 * set of accepted event types, with no schema-registry server: the fingerprint is looked up among the
 * schema versions this build knows ({@link EventTypes}).
 *
 * <p>Decoding is strict: any failure, whatever Avro throws underneath, becomes one
 * {@link EventDecodingException} that names the topic, the expected type and what was found. Trailing
 * bytes after a complete body count as corruption, since a well-behaved writer never leaves any.
 *
 * @param <T> the common type of the accepted events ({@code SpecificRecord} for topics with several)
 */
public final class EventCodec<T extends SpecificRecord> {

    static final byte MARKER_0 = (byte) 0xC3;
    static final byte MARKER_1 = (byte) 0x01;
    static final int HEADER_LENGTH = 10;

    private final Set<Class<? extends T>> accepted;
    private final String expected;
    private final Map<Class<?>, BinaryMessageEncoder<SpecificRecord>> encoders = new ConcurrentHashMap<>();
    private final Map<Long, SpecificDatumReader<T>> readers = new ConcurrentHashMap<>();

    private EventCodec(Class<T> baseType, Set<Class<? extends T>> accepted) {
        EventTypes.init();
        this.accepted = Set.copyOf(accepted);
        this.expected = accepted.size() == 1
                ? accepted.iterator().next().getSimpleName()
                : accepted.stream().map(Class::getSimpleName).sorted().collect(Collectors.joining(" or "));
    }

    /** A codec for exactly one event type. */
    public static <T extends SpecificRecord> EventCodec<T> of(Class<T> type) {
        return new EventCodec<>(type, Set.of(type));
    }

    /** A codec for a topic that carries several event types. */
    @SafeVarargs
    public static EventCodec<SpecificRecord> anyOf(Class<? extends SpecificRecord>... types) {
        return new EventCodec<>(SpecificRecord.class, Set.of(types));
    }

    /** A codec for every event type this build knows: for readers of several topics (archives, scans, sinks). */
    @SuppressWarnings("unchecked")
    public static EventCodec<SpecificRecord> anyEvent() {
        return anyOf(EventTypes.all().toArray(Class[]::new));
    }

    public Set<Class<? extends T>> accepted() {
        return accepted;
    }

    /** Name of the accepted type(s), as shown in errors. */
    public String expected() {
        return expected;
    }

    public byte[] encode(T event) {
        if (!accepted.contains(event.getClass())) {
            throw new IllegalArgumentException("this codec writes " + expected + ", not "
                    + event.getClass().getSimpleName() + "; send the event to its own topic");
        }
        BinaryMessageEncoder<SpecificRecord> encoder = encoders.computeIfAbsent(event.getClass(),
                c -> new BinaryMessageEncoder<>(SpecificData.get(), event.getSchema()));
        try {
            ByteBuffer buffer = encoder.encode(event);
            byte[] bytes = new byte[buffer.remaining()];
            buffer.get(bytes);
            return bytes;
        } catch (IOException | RuntimeException e) {
            // Encoding fails only on a value that breaks its own schema (a null in a non-null field).
            throw new IllegalArgumentException("cannot encode " + event.getClass().getSimpleName() + ": "
                    + e.getMessage(), e);
        }
    }

    /**
     * Decodes one record's value.
     *
     * @param topic where the bytes came from, for the error message
     */
    public T decode(String topic, byte[] bytes) {
        if (bytes == null) {
            throw new EventDecodingException(EventDecodingException.Problem.CORRUPT_BYTES, topic, expected,
                    "a null value (a tombstone)", "Spectroscope topics carry no tombstones", null);
        }
        if (bytes.length < HEADER_LENGTH || bytes[0] != MARKER_0 || bytes[1] != MARKER_1) {
            throw new EventDecodingException(EventDecodingException.Problem.CORRUPT_BYTES, topic, expected,
                    describeHeader(bytes), "The producer must use Avro single-object encoding (EventSerde)", null);
        }
        long fingerprint = ByteBuffer.wrap(bytes, 2, 8).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
        EventTypes.Known known = EventTypes.byFingerprint(fingerprint).orElseThrow(() -> new EventDecodingException(
                EventDecodingException.Problem.UNKNOWN_SCHEMA, topic, expected,
                "schema fingerprint " + hex(fingerprint) + ", which is no schema version this build knows",
                "Was it written by a newer Spectroscope? Upgrade this reader", null));
        if (!accepted.contains(known.type())) {
            throw new EventDecodingException(EventDecodingException.Problem.WRONG_EVENT_TYPE, topic, expected,
                    "a " + known.type().getSimpleName() + " event (schema " + known.version() + ")",
                    "The producer sent it to the wrong topic", null);
        }
        SpecificDatumReader<T> reader = readers.computeIfAbsent(fingerprint, fp -> newReader(known));
        try {
            BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(bytes, HEADER_LENGTH,
                    bytes.length - HEADER_LENGTH, null);
            T value = reader.read(null, decoder);
            if (!decoder.isEnd()) {
                throw new EventDecodingException(EventDecodingException.Problem.CORRUPT_BYTES, topic, expected,
                        "a " + known.type().getSimpleName() + " body followed by unexpected trailing bytes",
                        "The record was corrupted or concatenated", null);
            }
            return value;
        } catch (EventDecodingException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new EventDecodingException(EventDecodingException.Problem.CORRUPT_BYTES, topic, expected,
                    "a " + known.type().getSimpleName() + " header with a body that does not decode ("
                            + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage())
                            + ")", "The record was corrupted in transit or on disk", e);
        }
    }

    /**
     * The event type a record's header names, without decoding its body; empty when the bytes are not
     * single-object encoded or name no known schema (decoding then says what is wrong).
     */
    public static java.util.Optional<Class<? extends SpecificRecord>> peekType(byte[] bytes) {
        if (bytes == null || bytes.length < HEADER_LENGTH || bytes[0] != MARKER_0 || bytes[1] != MARKER_1) {
            return java.util.Optional.empty();
        }
        long fingerprint = ByteBuffer.wrap(bytes, 2, 8).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
        return EventTypes.byFingerprint(fingerprint).map(EventTypes.Known::type);
    }

    @SuppressWarnings("unchecked")
    private SpecificDatumReader<T> newReader(EventTypes.Known known) {
        Schema readerSchema = EventTypes.schemaOf(known.type());
        return new SpecificDatumReader<>(known.writerSchema(), readerSchema, SpecificData.get());
    }

    private static String describeHeader(byte[] bytes) {
        StringBuilder sb = new StringBuilder(bytes.length + " bytes without the single-object marker C3 01");
        if (bytes.length > 0) {
            sb.append(" (starts ");
            for (int i = 0; i < Math.min(4, bytes.length); i++) {
                sb.append(String.format("%02X", bytes[i] & 0xff));
            }
            sb.append(')');
        }
        return sb.toString();
    }

    private static String hex(long fingerprint) {
        return String.format("%016x", fingerprint);
    }
}
