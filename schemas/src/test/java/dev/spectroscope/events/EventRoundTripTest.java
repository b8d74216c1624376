package dev.spectroscope.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spectroscope.topics.Topic;
import dev.spectroscope.topics.TopicCatalogue;
import java.util.stream.Stream;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class EventRoundTripTest {

    private final TopicCatalogue catalogue = new TopicCatalogue();

    static Stream<SpecificRecord> samples() {
        return SampleEvents.all().stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("samples")
    @SuppressWarnings({"unchecked", "rawtypes"})
    void everyEventSurvivesItsTopicsSerde(SpecificRecord event) {
        Topic topic = catalogue.topicFor(event.getClass());
        byte[] bytes = topic.valueSerde().serializer().serialize(topic.name(), event);
        Object back = topic.valueSerde().deserializer().deserialize(topic.name(), bytes);
        assertNotSame(event, back);
        assertEquals(event, back);
    }

    @Test
    void everyEventTypeHasASample() {
        assertEquals(EventTypes.all().size(),
                SampleEvents.all().stream().map(Object::getClass).distinct().count());
    }

    @Test
    void sgldChainWithTenThousandDrawsStaysCompact() {
        SgldChain chain = SampleEvents.sgldChain(10_000);
        byte[] bytes = EventCodec.of(SgldChain.class).encode(chain);
        // 8 bytes a draw plus a small header: nothing in the encoding grows with the draws but the doubles.
        assertTrue(bytes.length < 10_000 * 8 + 1_000, "encoded size " + bytes.length);
        SgldChain back = EventCodec.of(SgldChain.class).decode("spectroscope.probes", bytes);
        assertEquals(10_000, back.getLosses().size());
        assertEquals(chain.getLosses(), back.getLosses());
    }

    @Test
    void largestInlineCheckpointRoundTrips() {
        // 512 KiB is the agent's default inline threshold: the largest checkpoint that travels inline.
        Checkpoint checkpoint = SampleEvents.checkpointInline(512 * 1024 / 4);
        EventCodec<Checkpoint> codec = EventCodec.of(Checkpoint.class);
        assertEquals(checkpoint, codec.decode("spectroscope.checkpoints", codec.encode(checkpoint)));
    }

    @Test
    void checkpointReferenceKeepsUriShaAndSize() {
        Checkpoint checkpoint = SampleEvents.checkpointByReference();
        EventCodec<Checkpoint> codec = EventCodec.of(Checkpoint.class);
        Checkpoint back = codec.decode("spectroscope.checkpoints", codec.encode(checkpoint));
        assertEquals(checkpoint.getBlob(), back.getBlob());
        assertEquals(100_000_000L, back.getBlob().getSizeBytes());
        assertEquals(null, back.getInlineParameters());
    }

    @Test
    void encodingIsAvroSingleObjectEncoding() throws java.io.IOException {
        TrainingMetrics metrics = SampleEvents.metrics(5);
        byte[] ours = EventCodec.of(TrainingMetrics.class).encode(metrics);
        // Avro's own decoder reads what we write, so any Avro client can consume the topics.
        TrainingMetrics viaAvro = new org.apache.avro.message.BinaryMessageDecoder<TrainingMetrics>(
                org.apache.avro.specific.SpecificData.get(), TrainingMetrics.getClassSchema())
                .decode(java.nio.ByteBuffer.wrap(ours), null);
        assertEquals(metrics, viaAvro);
    }
}
