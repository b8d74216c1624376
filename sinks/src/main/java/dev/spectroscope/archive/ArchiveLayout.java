package dev.spectroscope.archive;

import dev.spectroscope.events.EventTypes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;

/** Where a run's archive files live and the one schema they are written with. */
public final class ArchiveLayout {

    /** A union of every event type's current schema: one file holds all of a run's events, in arrival order. */
    public static final Schema SCHEMA = Schema.createUnion(EventTypes.all().stream().map(EventTypes::schemaOf).toList());

    private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,199}");
    private static final Pattern FILE = Pattern.compile("events-(\\d{6})\\.avro");
    /** Where events that name no run (a dead letter of an unreadable record) are kept. */
    public static final String NO_RUN = "_no-run";

    private ArchiveLayout() {
    }

    /** The run's directory; ids that are not plain file names are percent-encoded. */
    public static Path runDir(Path archive, String runId) {
        String name = SAFE.matcher(runId).matches() && !runId.contains("..") ? runId
                : URLEncoder.encode(runId, StandardCharsets.UTF_8).replace(".", "%2E").replace("*", "%2A");
        return archive.resolve(name);
    }

    public static String runIdOf(Path runDir) {
        return URLDecoder.decode(runDir.getFileName().toString(), StandardCharsets.UTF_8);
    }

    public static Path file(Path runDir, int index) {
        return runDir.resolve(String.format("events-%06d.avro", index));
    }

    /** The run's files, oldest first. */
    public static List<Path> files(Path runDir) {
        if (!Files.isDirectory(runDir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(runDir)) {
            return new ArrayList<>(s.filter(p -> FILE.matcher(p.getFileName().toString()).matches()).sorted().toList());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the archive directory " + runDir, e);
        }
    }

    /** Index of an archive file, from its name. */
    public static int index(Path file) {
        var m = FILE.matcher(file.getFileName().toString());
        if (!m.matches()) {
            throw new IllegalArgumentException(file + " is not an archive file (events-NNNNNN.avro)");
        }
        return Integer.parseInt(m.group(1));
    }

    /** Every event type has an eventId and (but dead letters) a runId; read them without a cast per type. */
    static String field(SpecificRecord event, String name) {
        Schema.Field f = event.getSchema().getField(name);
        Object v = f == null ? null : event.get(f.pos());
        return v == null ? null : v.toString();
    }

    public static String eventId(SpecificRecord event) {
        return field(event, "eventId");
    }

    public static String runId(SpecificRecord event) {
        String run = field(event, "runId");
        return run == null || run.isEmpty() ? NO_RUN : run;
    }
}
