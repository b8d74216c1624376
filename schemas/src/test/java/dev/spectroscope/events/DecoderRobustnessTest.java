package dev.spectroscope.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.spectroscope.topics.Topic;
import dev.spectroscope.topics.TopicCatalogue;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.junit.jupiter.api.Test;

/**
 * Bytes from the wire are untrusted: whatever arrives, a deserializer either returns an event or throws
 * the one {@link EventDecodingException} that names the topic, the expected type and what it found.
 */
class DecoderRobustnessTest {

    private final TopicCatalogue catalogue = new TopicCatalogue();

    @Test
    void randomBytesGiveTheOneClearException() {
        Random random = new Random(20261125L);
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            for (Topic<? extends SpecificRecord> topic : catalogue.all()) {
                Deserializer<? extends SpecificRecord> deserializer = topic.valueSerde().deserializer();
                for (int i = 0; i < 2_000; i++) {
                    byte[] bytes = new byte[random.nextInt(300)];
                    random.nextBytes(bytes);
                    expectDecodingErrorOrEvent(topic, deserializer, bytes);
                }
            }
        });
    }

    @Test
    void validHeaderWithRandomBodyGivesTheOneClearException() {
        Random random = new Random(7L);
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            for (Topic<? extends SpecificRecord> topic : catalogue.all()) {
                Deserializer<? extends SpecificRecord> deserializer = topic.valueSerde().deserializer();
                for (Class<? extends SpecificRecord> type : topic.eventTypes()) {
                    long fingerprint = EventTypes.fingerprint(EventTypes.schemaOf(type));
                    for (int i = 0; i < 2_000; i++) {
                        byte[] bytes = new byte[10 + random.nextInt(400)];
                        random.nextBytes(bytes);
                        writeHeader(bytes, fingerprint);
                        expectDecodingErrorOrEvent(topic, deserializer, bytes);
                    }
                }
            }
        });
    }

    @Test
    void everyTruncationAndBitFlipOfARealEventIsHandled() {
        Random random = new Random(3L);
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            for (SpecificRecord event : SampleEvents.all()) {
                @SuppressWarnings("unchecked")
                Topic<SpecificRecord> topic = (Topic<SpecificRecord>) catalogue.topicFor(event.getClass());
                byte[] good = topic.valueSerde().serializer().serialize(topic.name(), event);
                int step = Math.max(1, good.length / 500);
                for (int c = 0; c < good.length; c += step) {
                    int cut = c;
                    EventDecodingException e = assertThrows(EventDecodingException.class,
                            () -> topic.valueSerde().deserializer().deserialize(topic.name(),
                                    Arrays.copyOf(good, cut)));
                    assertMentionsWhere(e, topic);
                }
                for (int i = 0; i < 300; i++) {
                    byte[] flipped = good.clone();
                    int at = random.nextInt(flipped.length);
                    flipped[at] ^= (byte) (1 << random.nextInt(8));
                    expectDecodingErrorOrEvent(topic, topic.valueSerde().deserializer(), flipped);
                }
            }
        });
    }

    @Test
    void hugeDeclaredLengthsDoNotExhaustMemory() {
        // A body that claims a 2-GB array or string must fail fast, not allocate it.
        long fingerprint = EventTypes.fingerprint(SgldChain.getClassSchema());
        byte[] bytes = new byte[64];
        writeHeader(bytes, fingerprint);
        // eventId string length as zig-zag varint of ~1e9, then nothing.
        byte[] varint = {(byte) 0x80, (byte) 0xA8, (byte) 0xD6, (byte) 0xB9, 0x07};
        System.arraycopy(varint, 0, bytes, 10, varint.length);
        EventDecodingException e = assertThrows(EventDecodingException.class,
                () -> EventCodec.of(SgldChain.class).decode("spectroscope.probes", bytes));
        assertEquals(EventDecodingException.Problem.CORRUPT_BYTES, e.problem());
    }

    @Test
    void wrongEventTypeNamesTopicExpectedAndFound() {
        byte[] metrics = EventCodec.of(TrainingMetrics.class).encode(SampleEvents.metrics(1));
        EventDecodingException e = assertThrows(EventDecodingException.class,
                () -> catalogue.checkpoints().valueSerde().deserializer().deserialize("spectroscope.checkpoints",
                        metrics));
        assertEquals(EventDecodingException.Problem.WRONG_EVENT_TYPE, e.problem());
        assertTrue(e.getMessage().contains("spectroscope.checkpoints"), e.getMessage());
        assertTrue(e.getMessage().contains("Checkpoint"), e.getMessage());
        assertTrue(e.getMessage().contains("TrainingMetrics"), e.getMessage());
    }

    @Test
    void unknownFingerprintSaysSoAndSuggestsAnUpgrade() {
        byte[] bytes = EventCodec.of(TrainingMetrics.class).encode(SampleEvents.metrics(1));
        writeHeader(bytes, 0x1234_5678_9abc_def0L);
        EventDecodingException e = assertThrows(EventDecodingException.class,
                () -> EventCodec.of(TrainingMetrics.class).decode("spectroscope.metrics", bytes));
        assertEquals(EventDecodingException.Problem.UNKNOWN_SCHEMA, e.problem());
        assertTrue(e.getMessage().contains("123456789abcdef0"), e.getMessage());
        assertTrue(e.getMessage().contains("Upgrade"), e.getMessage());
    }

    @Test
    void trailingBytesAreCorruption() {
        byte[] good = EventCodec.of(TrainingMetrics.class).encode(SampleEvents.metrics(1));
        byte[] longer = Arrays.copyOf(good, good.length + 3);
        EventDecodingException e = assertThrows(EventDecodingException.class,
                () -> EventCodec.of(TrainingMetrics.class).decode("spectroscope.metrics", longer));
        assertEquals(EventDecodingException.Problem.CORRUPT_BYTES, e.problem());
    }

    @Test
    void nullValueIsATombstoneError() {
        EventDecodingException e = assertThrows(EventDecodingException.class,
                () -> catalogue.alerts().valueSerde().deserializer().deserialize("spectroscope.alerts", null));
        assertTrue(e.getMessage().contains("tombstone"));
    }

    private static void writeHeader(byte[] bytes, long fingerprint) {
        bytes[0] = EventCodec.MARKER_0;
        bytes[1] = EventCodec.MARKER_1;
        ByteBuffer.wrap(bytes, 2, 8).order(ByteOrder.LITTLE_ENDIAN).putLong(fingerprint);
    }

    private static void expectDecodingErrorOrEvent(Topic<? extends SpecificRecord> topic,
                                                   Deserializer<? extends SpecificRecord> deserializer, byte[] bytes) {
        try {
            Object value = deserializer.deserialize(topic.name(), bytes);
            // A flip inside a double or a string can still be a valid event: then it must be of the topic's type.
            assertTrue(topic.eventTypes().contains(value.getClass()), "decoded " + value.getClass());
        } catch (EventDecodingException e) {
            assertMentionsWhere(e, topic);
        } catch (RuntimeException | Error other) {
            fail("deserializing " + bytes.length + " bytes on " + topic.name() + " threw " + other, other);
        }
    }

    private static void assertMentionsWhere(EventDecodingException e, Topic<? extends SpecificRecord> topic) {
        assertEquals(topic.name(), e.topic());
        assertTrue(e.getMessage().contains(topic.name()), e.getMessage());
    }
}
