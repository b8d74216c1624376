package dev.spectroscope.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.generic.GenericData;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificRecord;
import org.apache.avro.util.RandomData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Holds every current schema against every released version of it: the current schema must read what
 * an older agent or processor wrote, or the release breaks the users' archives and running jobs.
 */
class SchemaEvolutionTest {

    static Stream<Arguments> releasedSchemas() {
        List<Arguments> cases = new ArrayList<>();
        for (String version : EventTypes.releasedVersions()) {
            for (Map.Entry<String, Schema> e : EventTypes.releasedSchemas(version).entrySet()) {
                cases.add(Arguments.of(version, e.getKey(), e.getValue()));
            }
        }
        return cases.stream();
    }

    @Test
    void everyEventTypeIsInEveryRelease() {
        List<String> versions = EventTypes.releasedVersions();
        assertFalse(versions.isEmpty(), "history/versions.txt lists no release");
        for (String version : versions) {
            Map<String, Schema> schemas = EventTypes.releasedSchemas(version);
            // An event type added after a release is absent from it; one that was released never disappears.
            assertTrue(schemas.size() <= EventTypes.all().size());
        }
        assertEquals(EventTypes.all().size(), EventTypes.releasedSchemas(versions.get(0)).size());
    }

    @ParameterizedTest(name = "{1} of {0}")
    @MethodSource("releasedSchemas")
    void currentSchemaReadsReleasedSchema(String version, String event, Schema released) {
        Class<? extends SpecificRecord> type = EventTypes.forName(event).orElseThrow();
        Schema current = EventTypes.schemaOf(type);
        SchemaCompatibility.SchemaPairCompatibility result =
                SchemaCompatibility.checkReaderWriterCompatibility(current, released);
        assertEquals(SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE, result.getType(),
                () -> event + " of release " + version + " cannot be read by the current schema: "
                        + result.getResult().getIncompatibilities());
    }

    @ParameterizedTest(name = "{1} of {0}")
    @MethodSource("releasedSchemas")
    @SuppressWarnings({"unchecked", "rawtypes"})
    void dataWrittenWithReleasedSchemaDecodesNow(String version, String event, Schema released)
            throws java.io.IOException {
        Class<? extends SpecificRecord> type = EventTypes.forName(event).orElseThrow();
        EventCodec codec = EventCodec.of(type);
        BinaryMessageEncoder<Object> oldWriter = new BinaryMessageEncoder<>(GenericData.get(), released);
        int decoded = 0;
        for (Object datum : new RandomData(released, 50, 11L)) {
            ByteBuffer bytes = oldWriter.encode(datum);
            byte[] array = new byte[bytes.remaining()];
            bytes.get(array);
            Object back = codec.decode("history-" + version, array);
            assertNotNull(back);
            assertEquals(type, back.getClass());
            decoded++;
        }
        assertEquals(50, decoded);
    }

    @Test
    void theCheckCatchesAnIncompatibleChange() {
        // The guard must be able to fail: a new field without a default breaks old data.
        Schema current = TrainingMetrics.getClassSchema();
        String json = current.toString().replaceFirst("\"fields\":\\[",
                "\"fields\":[{\"name\":\"mandatoryNewField\",\"type\":\"int\"},");
        Schema broken = new Schema.Parser().parse(json);
        assertNotEquals(SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE,
                SchemaCompatibility.checkReaderWriterCompatibility(broken, current).getType());
    }

    @Test
    void everySchemaFollowsTheConventions() {
        for (Class<? extends SpecificRecord> type : EventTypes.all()) {
            Schema schema = EventTypes.schemaOf(type);
            assertEquals(EventTypes.PACKAGE, schema.getNamespace());
            assertNotNull(schema.getField("eventId"), type + " has no eventId");
            assertNotNull(schema.getField("runId"), type + " has no runId");
            Schema.Field ts = schema.getField("timestamp");
            assertNotNull(ts, type + " has no timestamp");
            assertEquals("timestamp-millis", ts.schema().getLogicalType().getName());
            assertFieldsDocumented(schema, type.getSimpleName());
        }
        assertNotNull(LlcEstimate.getClassSchema().getField("llcMean"));
        assertNotNull(LlcEstimate.getClassSchema().getField("llcStd"));
        assertNotNull(PhaseTransition.getClassSchema().getField("startStep"));
        assertNotNull(PhaseTransition.getClassSchema().getField("endStep"));
        for (Class<? extends SpecificRecord> stepBearing : List.of(TrainingMetrics.class, Checkpoint.class,
                SgldChain.class, ConceptProbe.class, LlcEstimate.class, DosEstimate.class)) {
            assertEquals(Schema.Type.LONG, EventTypes.schemaOf(stepBearing).getField("step").schema().getType());
        }
    }

    private static void assertFieldsDocumented(Schema record, String where) {
        for (Schema.Field field : record.getFields()) {
            assertTrue(field.doc() != null && !field.doc().isBlank(), where + "." + field.name() + " has no doc");
            Schema s = field.schema();
            if (s.getType() == Schema.Type.UNION) {
                s = s.getTypes().stream().filter(t -> t.getType() != Schema.Type.NULL).findFirst().orElse(s);
            }
            if (s.getType() == Schema.Type.ARRAY) {
                s = s.getElementType();
            }
            if (s.getType() == Schema.Type.RECORD) {
                assertFieldsDocumented(s, where + "." + field.name());
            }
        }
    }
}
