package dev.spectroscope.events;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.apache.avro.util.ClassSecurityValidator;

/**
 * Every Spectroscope event type, with its current schema and every released version of it.
 *
 * <p>The released versions ship in this jar under {@code dev/spectroscope/events/history/<version>/}
 * (listed in {@code versions.txt}), so a reader of this build can decode data written by any earlier
 * release, and the evolution test can hold the current schemas against them.
 */
public final class EventTypes {

    /** Package of the generated event classes; the only package Avro is told to trust. */
    public static final String PACKAGE = "dev.spectroscope.events";

    private static final String HISTORY = "dev/spectroscope/events/history/";

    private static final List<Class<? extends SpecificRecord>> ALL = List.of(
            RunStarted.class, RunEnded.class, TrainingMetrics.class, Checkpoint.class, SgldChain.class,
            ConceptProbe.class, LlcEstimate.class, DosEstimate.class, PhaseTransition.class, Alert.class,
            DeadLetter.class);

    private static final Map<Long, Known> BY_FINGERPRINT;

    static {
        trustEventClasses();
        Map<Long, Known> byFingerprint = new LinkedHashMap<>();
        for (Class<? extends SpecificRecord> type : ALL) {
            Schema current = schemaOf(type);
            byFingerprint.put(fingerprint(current), new Known(type, current, "current"));
        }
        for (String version : releasedVersions()) {
            for (Map.Entry<String, Schema> e : releasedSchemas(version).entrySet()) {
                Class<? extends SpecificRecord> type = forName(e.getKey()).orElseThrow(() -> new IllegalStateException(
                        "history " + version + " holds a schema for " + e.getKey() + ", which is no event type"));
                byFingerprint.putIfAbsent(fingerprint(e.getValue()), new Known(type, e.getValue(), version));
            }
        }
        BY_FINGERPRINT = Collections.unmodifiableMap(byFingerprint);
    }

    /** A schema version this build can read, and the event type it belongs to. */
    public record Known(Class<? extends SpecificRecord> type, Schema writerSchema, String version) {
    }

    private EventTypes() {
    }

    /**
     * Avro 1.12 refuses to instantiate classes it was not told to trust. The event classes are ours;
     * trusting them here, once, means no application has to remember a system property.
     */
    private static void trustEventClasses() {
        ClassSecurityValidator.ClassSecurityPredicate previous = ClassSecurityValidator.getGlobal();
        ClassSecurityValidator.setGlobal(ClassSecurityValidator.composite(previous,
                type -> type.getName().startsWith(PACKAGE + ".")));
    }

    /** Makes sure the trust set-up above has run; cheap to call many times. */
    public static void init() {
        // Loading the class runs the static initializer.
    }

    public static List<Class<? extends SpecificRecord>> all() {
        return ALL;
    }

    public static Schema schemaOf(Class<? extends SpecificRecord> type) {
        return SpecificData.get().getSchema(type);
    }

    public static long fingerprint(Schema schema) {
        return SchemaNormalization.parsingFingerprint64(schema);
    }

    /** The event type and schema version with this single-object fingerprint, if this build knows one. */
    public static Optional<Known> byFingerprint(long fingerprint) {
        return Optional.ofNullable(BY_FINGERPRINT.get(fingerprint));
    }

    public static Optional<Class<? extends SpecificRecord>> forName(String simpleOrFullName) {
        for (Class<? extends SpecificRecord> type : ALL) {
            if (type.getSimpleName().equals(simpleOrFullName) || type.getName().equals(simpleOrFullName)) {
                return Optional.of(type);
            }
        }
        return Optional.empty();
    }

    /** Released versions, oldest first, as listed in {@code history/versions.txt}. */
    public static List<String> releasedVersions() {
        String text = resource(HISTORY + "versions.txt").orElse("");
        List<String> versions = new ArrayList<>();
        for (String line : text.split("\n")) {
            String v = line.strip();
            if (!v.isEmpty() && !v.startsWith("#")) {
                versions.add(v);
            }
        }
        return versions;
    }

    /** The schemas of one released version, by event name (simple class name). */
    public static Map<String, Schema> releasedSchemas(String version) {
        Map<String, Schema> schemas = new LinkedHashMap<>();
        for (Class<? extends SpecificRecord> type : ALL) {
            String name = type.getSimpleName();
            resource(HISTORY + version + "/" + name + ".avsc")
                    .ifPresent(json -> schemas.put(name, new Schema.Parser().parse(json)));
        }
        return schemas;
    }

    private static Optional<String> resource(String path) {
        try (InputStream in = EventTypes.class.getClassLoader().getResourceAsStream(path)) {
            return in == null ? Optional.empty() : Optional.of(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + path + " from the schemas jar", e);
        }
    }
}
