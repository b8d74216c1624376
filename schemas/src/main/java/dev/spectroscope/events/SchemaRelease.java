package dev.spectroscope.events;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.apache.avro.specific.SpecificRecord;

/**
 * Freezes the current schemas as a released version under {@code schemas/src/test/resources/history}.
 * Run it when cutting a release:
 * {@code java -cp schemas/target/classes:<avro> dev.spectroscope.events.SchemaRelease 0.2.0 schemas/src/test/resources/history};
 * from then on the evolution test holds every later schema against it.
 */
public final class SchemaRelease {

    private SchemaRelease() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            System.err.println("usage: SchemaRelease VERSION HISTORY_DIR");
            System.exit(2);
        }
        String version = args[0];
        Path dir = Path.of(args[1]);
        Path target = dir.resolve(version);
        if (Files.exists(target)) {
            System.err.println(target + " exists: a released version is never rewritten");
            System.exit(1);
        }
        Files.createDirectories(target);
        for (Class<? extends SpecificRecord> type : EventTypes.all()) {
            Files.writeString(target.resolve(type.getSimpleName() + ".avsc"),
                    EventTypes.schemaOf(type).toString(true) + "\n", StandardCharsets.UTF_8);
        }
        Files.writeString(dir.resolve("versions.txt"), version + "\n", StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        System.out.println("wrote " + EventTypes.all().size() + " schemas to " + target);
    }
}
