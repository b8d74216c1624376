package dev.spectroscope.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.spectroscope.archive.EventJson;
import dev.spectroscope.archive.RunArchive;
import dev.spectroscope.blob.FileBlobStore;
import dev.spectroscope.events.EventTypes;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code spectroscope inspect}: an archived run's events as JSON lines, checkpoints with their weights. */
@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = "Prints an archived run's events as JSON lines.")
final class InspectCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--archive", defaultValue = "spectroscope-data/archive",
            description = "Archive directory (default: ${DEFAULT-VALUE}).")
    Path archive;

    @Option(names = "--run", description = "The run; without it, lists the archived runs.")
    String runId;

    @Option(names = "--type", description = "Only events of this type, e.g. Checkpoint, LlcEstimate.")
    String type;

    @Option(names = "--step", description = "Only events at this step.")
    Long step;

    @Option(names = "--json", description = "JSON lines (the only format; accepted for scripts).")
    boolean json;

    @Option(names = "--blob-dir", defaultValue = "spectroscope-data/blobs",
            description = "Blob store of checkpoints kept by reference (default: ${DEFAULT-VALUE}).")
    Path blobDir;

    private static final ObjectMapper JSON = JsonMapper.builder().build();

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        RunArchive runs = new RunArchive(archive);
        if (runId == null) {
            for (String id : runs.runs()) {
                out.println(JSON.writeValueAsString(Map.of("runId", id)));
            }
            return 0;
        }
        if (type != null && EventTypes.forName(type).isEmpty()) {
            throw new IllegalArgumentException("--type " + type + " is no event type; use one of "
                    + EventTypes.all().stream().map(Class::getSimpleName).toList());
        }
        Map<String, Integer> counts = new TreeMap<>();
        FileBlobStore blobs = new FileBlobStore(blobDir);
        for (SpecificRecord e : runs.events(runId)) {
            if (type != null && !e.getClass().getSimpleName().equals(EventTypes.forName(type).get().getSimpleName())) {
                continue;
            }
            if (step != null && !step.equals(stepOf(e))) {
                continue;
            }
            out.println(JSON.writeValueAsString(EventJson.of(e, blobs)));
            counts.merge(e.getClass().getSimpleName(), 1, Integer::sum);
        }
        out.flush();
        spec.commandLine().getErr().println("inspect: " + counts.values().stream().mapToInt(Integer::intValue).sum() + " events "
                + counts);
        return 0;
    }

    private static Long stepOf(SpecificRecord e) {
        Schema.Field f = e.getSchema().getField("step");
        Object v = f == null ? null : e.get(f.pos());
        return v instanceof Number n ? n.longValue() : null;
    }
}
