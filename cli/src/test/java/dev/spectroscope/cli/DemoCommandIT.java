package dev.spectroscope.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.spectroscope.archive.RunArchive;
import dev.spectroscope.checkpoint.CheckpointParameters;
import dev.spectroscope.blob.FileBlobStore;
import dev.spectroscope.events.Checkpoint;
import dev.spectroscope.examples.TmsGroundTruth;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 7 through the launcher, as a user runs it: the headless TMS demo finds transitions where the archived
 * weights show the number of represented features k(t) changing; Ctrl-C stops an interactive demo within
 * 10 seconds with exit code 130, and a second demo right after starts cleanly on the same ports and data.
 */
class DemoCommandIT {

    private static final int CHECKPOINT_EVERY = 100;

    @TempDir
    Path work;

    @Test
    void theHeadlessDemoFindsTheTransitionsTheWeightsShow() throws Exception {
        int[] ports = freePorts();
        Path out = work.resolve("out");
        Process demo = demo(work.resolve("headless.log"), "--headless", "--out", out.toString(),
                "--port", Integer.toString(ports[0]), "--kafka-port", Integer.toString(ports[1]),
                "--data-dir", work.resolve("data").toString());
        assertTrue(demo.waitFor(300, TimeUnit.SECONDS), "the demo did not finish in 300 s");
        String log = Files.readString(work.resolve("headless.log"), StandardCharsets.UTF_8);
        assertEquals(0, demo.exitValue(), log);
        assertTrue(log.lines().findFirst().orElse("").startsWith("Dashboard: http://localhost:" + ports[0]), log);
        assertTrue(log.contains("λ̂") && log.contains("phase transition"), log);

        JsonNode summary = new ObjectMapper().readTree(out.resolve("summary.json").toFile());
        String runId = summary.get("runId").asText();
        assertEquals(30, summary.get("llc").size(), "one λ̂ per checkpoint: " + summary);
        assertTrue(summary.get("transitions").size() >= 1, "at least one transition: " + summary);

        List<TmsGroundTruth.Snapshot> snapshots = new ArrayList<>();
        FileBlobStore blobs = new FileBlobStore(work.resolve("data").resolve("blobs"));
        new RunArchive(out.resolve("archive")).events(runId).stream().filter(Checkpoint.class::isInstance)
                .map(Checkpoint.class::cast).forEach(c -> snapshots.add(new TmsGroundTruth.Snapshot(c.getStep(),
                        CheckpointParameters.read(c, blobs))));
        assertEquals(30, snapshots.size(), "every checkpoint archived");
        List<TmsGroundTruth.Change> changes = TmsGroundTruth.changes(snapshots);
        assertFalse(changes.isEmpty(), "the TMS run changes k: " + snapshots.stream().map(s -> s.step() + ":" + s.k())
                .toList());
        long tolerance = 2L * CHECKPOINT_EVERY;
        for (JsonNode t : summary.get("transitions")) {
            long start = t.get("startStep").asLong();
            long end = t.get("endStep").asLong();
            boolean weightsAgree = changes.stream().anyMatch(c -> c.onsetStep() <= end + tolerance
                    && c.settledStep() >= start - tolerance);
            assertTrue(weightsAgree, "transition " + start + "–" + end + " has no change of k within two checkpoints; "
                    + "the weights changed k at " + changes);
        }
    }

    @Test
    void ctrlCStopsTheDemoWithin10SecondsAndASecondOneStartsCleanly() throws Exception {
        int[] ports = freePorts();
        Path data = work.resolve("data");
        Path log = work.resolve("interactive.log");
        Process demo = demo(log, "--port", Integer.toString(ports[0]), "--kafka-port", Integer.toString(ports[1]),
                "--data-dir", data.toString());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!Files.readString(log).contains("step ") && System.nanoTime() < deadline && demo.isAlive()) {
            Thread.sleep(200); // until the first estimate: broker, processor, worker, sinks and training all busy
        }
        assertTrue(Files.readString(log).contains("step "), Files.readString(log));
        new ProcessBuilder("kill", "-INT", Long.toString(demo.pid())).start().waitFor();
        long signalled = System.nanoTime();
        assertTrue(demo.waitFor(10, TimeUnit.SECONDS), "still running 10 s after Ctrl-C");
        double seconds = (System.nanoTime() - signalled) / 1e9;
        String text = Files.readString(log, StandardCharsets.UTF_8);
        assertEquals(130, demo.exitValue(), text);
        assertFalse(text.contains("Exception") || text.contains("\tat "), "a clean log, no stack traces:\n" + text);
        System.out.printf("demo stopped %.1f s after SIGINT%n", seconds);

        Process again = demo(work.resolve("again.log"), "--headless", "--steps", "500", "--port",
                Integer.toString(ports[0]), "--kafka-port", Integer.toString(ports[1]), "--data-dir", data.toString());
        assertTrue(again.waitFor(180, TimeUnit.SECONDS), "the second demo did not finish");
        String second = Files.readString(work.resolve("again.log"), StandardCharsets.UTF_8);
        assertEquals(0, again.exitValue(), second);
        assertTrue(second.contains("step    499"), "the second demo estimated its last checkpoint:\n" + second);
    }

    private Process demo(Path log, String... args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of("..", "bin", "spectroscope").toAbsolutePath().normalize().toString());
        command.add("demo");
        command.addAll(List.of(args));
        return new ProcessBuilder(command).directory(work.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
    }

    private static int[] freePorts() throws Exception {
        try (ServerSocket a = new ServerSocket(0); ServerSocket b = new ServerSocket(0)) {
            return new int[]{a.getLocalPort(), b.getLocalPort()};
        }
    }
}
