package dev.spectroscope.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The demo's result, from the dashboard's picture of the run: the LLC trajectory (step → λ̂, sd), the
 * transitions (start and end step, signal, the concept probes that moved most) and the alerts; written as
 * {@code summary.json} with {@code --out}.
 */
final class DemoSummary {

    private static final ObjectMapper JSON = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

    private DemoSummary() {
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> of(Map<String, Object> run, String model, int steps, long seed, double seconds,
                                  Path archive) {
        Map<String, Object> series = (Map<String, Object>) run.get("series");
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("runId", run.get("runId"));
        out.put("model", model);
        out.put("steps", steps);
        out.put("seed", seed);
        out.put("status", run.get("status"));
        out.put("finalLoss", run.get("loss"));
        out.put("seconds", Math.round(seconds * 10) / 10.0);
        List<Map<String, Object>> llc = new ArrayList<>();
        for (double[] p : (List<double[]>) series.get("llc")) {
            llc.add(Map.of("step", (long) p[0], "llc", p[1], "sd", p[2]));
        }
        out.put("llc", llc);
        List<Map<String, Object>> dos = new ArrayList<>();
        for (double[] p : (List<double[]>) series.get("dos")) {
            dos.add(Map.of("step", (long) p[0], "lambda", p[1], "lambdaStderr", p[2], "m", p[3], "mStderr", p[4]));
        }
        out.put("dos", dos);
        out.put("transitions", run.get("transitions"));
        out.put("alerts", run.get("alerts"));
        out.put("archive", archive.toAbsolutePath().normalize().toString());
        return out;
    }

    static void write(Map<String, Object> summary, Path file) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        JSON.writeValue(file.toFile(), summary);
    }

    @SuppressWarnings("unchecked")
    static List<String> transitionLines(Map<String, Object> run) {
        List<String> lines = new ArrayList<>();
        for (Map<String, Object> t : (List<Map<String, Object>>) run.get("transitions")) {
            List<String> concepts = (List<String>) t.get("topConcepts");
            lines.add(String.format("  steps %d–%d  %-18s detected at step %d%s", (Long) t.get("startStep"),
                    (Long) t.get("endStep"), t.get("signal"), (Long) t.get("detectedAtStep"),
                    concepts.isEmpty() ? "" : "; moved most: " + String.join(", ", concepts)));
        }
        return lines;
    }
}
