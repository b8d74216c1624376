package dev.spectroscope.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.spectroscope.agent.AgentConfig;
import dev.spectroscope.agent.SpectroscopeAgent;
import dev.spectroscope.archive.ArchiveLayout;
import dev.spectroscope.archive.RunArchive;
import dev.spectroscope.broker.EmbeddedKafkaExtension;
import dev.spectroscope.checkpoint.CheckpointParameters;
import dev.spectroscope.blob.FileBlobStore;
import dev.spectroscope.events.Checkpoint;
import dev.spectroscope.events.LlcEstimate;
import dev.spectroscope.events.PhaseTransition;
import dev.spectroscope.examples.TmsExample;
import dev.spectroscope.examples.TrainResult;
import dev.spectroscope.examples.TrainSettings;
import dev.spectroscope.probe.ProbeWorker;
import dev.spectroscope.probe.ProbeWorkerSettings;
import dev.spectroscope.process.ProcessorApp;
import dev.spectroscope.process.ProcessorSettings;
import dev.spectroscope.sink.SinksApp;
import dev.spectroscope.sink.SinksSettings;
import dev.spectroscope.topics.Topic;
import dev.spectroscope.topics.TopicScan;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.avro.file.DataFileReader;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Issue 6, points 3 and 4, on a real TMS run through the whole pipeline: the archive holds every event the
 * run produced (counted against the topics, read with Avro's own DataFileReader); {@code inspect} prints a
 * checkpoint's weights by name; {@code replay --as} yields the same LlcEstimates and the same transitions.
 */
class ArchiveReplayIT {

    @RegisterExtension
    static final EmbeddedKafkaExtension KAFKA = new EmbeddedKafkaExtension();

    @TempDir
    Path dir;

    @Test
    void anArchivedRunHoldsEveryEventAndReplaysToTheSameEstimatesAndTransitions() throws Exception {
        String bootstrap = KAFKA.bootstrapServers();
        Path blobs = dir.resolve("blobs");
        Path archive = dir.resolve("archive");
        ProcessorSettings processorSettings = ProcessorSettings.defaults(bootstrap).withStateDir(dir.resolve("streams"))
                .withHttpPort(-1).withApplicationId("replay-it");
        ProbeWorkerSettings workerSettings = new ProbeWorkerSettings(bootstrap, "replay-it-probe", "spectroscope.", 2,
                blobs, Duration.ofSeconds(10), Map.of());
        SinksSettings sinksSettings = SinksSettings.defaults(bootstrap).withSinks(false, true, false, false)
                .withHttpPort(-1).withDirs(dir.resolve("sinks"), archive).withGroupPrefix("replay-it");
        try (ProcessorApp processor = ProcessorApp.start(processorSettings);
             ProbeWorker worker = ProbeWorker.start(workerSettings);
             SinksApp sinks = SinksApp.start(sinksSettings, new PrintStream(new ByteArrayOutputStream()))) {
            TrainResult trained;
            AgentConfig agentConfig = AgentConfig.defaults().withBootstrapServers(bootstrap)
                    .withSpillDir(dir.resolve("spill")).withBlobDir(blobs);
            try (SpectroscopeAgent agent = SpectroscopeAgent.start(agentConfig)) {
                trained = TmsExample.train(agent, new TrainSettings(2500, 1, "replay-it", 10, 100));
            }
            String original = trained.runId();
            int checkpoints = 25;
            Map<Long, LlcEstimate> before = awaitEstimates(bootstrap, original, checkpoints);
            assertEquals(checkpoints, before.size());
            Thread.sleep(3000); // transitions and alerts follow the last estimate

            // Point 3: every event of the run, in every topic, is in the archive; Avro's own reader reads it.
            Map<String, Long> inTopics = countInTopics(bootstrap, original);
            Map<String, Long> inArchive = awaitArchive(archive, original, inTopics);
            assertEquals(inTopics, inArchive, "archive against topics, by event type");
            assertTrue(inTopics.getOrDefault("PhaseTransition", 0L) >= 1, "the run went through a transition: "
                    + inTopics);

            // inspect prints a checkpoint's weights by block, in their shape.
            List<Checkpoint> saved = TopicScan.readEvents(bootstrap, "spectroscope.checkpoints", Duration.ofSeconds(30))
                    .stream().map(Checkpoint.class::cast).filter(c -> c.getRunId().equals(original)).toList();
            Checkpoint last = saved.get(saved.size() - 1);
            StringWriter out = new StringWriter();
            CommandLine cli = SpectroscopeCommand.commandLine();
            cli.setOut(new PrintWriter(out, true));
            cli.setErr(new PrintWriter(new StringWriter(), true));
            assertEquals(0, cli.execute("inspect", "--archive", archive.toString(), "--run", original, "--type",
                    "Checkpoint", "--step", Long.toString(last.getStep()), "--json", "--blob-dir", blobs.toString()));
            JsonNode json = new ObjectMapper().readTree(out.toString().strip());
            float[] flat = CheckpointParameters.read(last, new FileBlobStore(blobs));
            JsonNode w = json.get("parameters").get("W");
            assertEquals(2, w.size());
            assertEquals(6, w.get(0).size());
            assertEquals(flat[7], (float) w.get(1).get(1).asDouble(), 0f, "row 1, column 1 of W is flat[1·6+1]");

            // Point 4: replayed under a new id, the run gets the same estimates and the same transitions.
            String replayed = original + "-replay";
            assertEquals(0, SpectroscopeCommand.execute("replay", "--bootstrap-servers", bootstrap, "--archive",
                    archive.toString(), "--run", original, "--as", replayed, "--speed", "max"));
            Map<Long, LlcEstimate> after = awaitEstimates(bootstrap, replayed, checkpoints);
            assertEquals(before.keySet(), after.keySet(), "same steps");
            for (long step : before.keySet()) {
                assertEquals(before.get(step).getLlcMean(), after.get(step).getLlcMean(), 0.0, "step " + step);
                assertEquals(before.get(step).getLlcStd(), after.get(step).getLlcStd(), 0.0, "step " + step);
                assertEquals(before.get(step).getChainValues(), after.get(step).getChainValues(), "step " + step);
            }
            Thread.sleep(3000);
            assertEquals(transitions(bootstrap, original), transitions(bootstrap, replayed), "same transitions");
        }
    }

    private static Map<Long, LlcEstimate> awaitEstimates(String bootstrap, String runId, int expected)
            throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(240).toNanos();
        Map<Long, LlcEstimate> found = new TreeMap<>();
        while (System.nanoTime() < deadline) {
            found.clear();
            for (SpecificRecord r : TopicScan.readEvents(bootstrap, "spectroscope.estimates", Duration.ofSeconds(30))) {
                if (r instanceof LlcEstimate e && e.getRunId().equals(runId)) {
                    found.put(e.getStep(), e);
                }
            }
            if (found.size() >= expected) {
                break;
            }
            Thread.sleep(1000);
        }
        return found;
    }

    private static List<String> transitions(String bootstrap, String runId) {
        return TopicScan.readEvents(bootstrap, "spectroscope.transitions", Duration.ofSeconds(30)).stream()
                .map(PhaseTransition.class::cast).filter(t -> t.getRunId().equals(runId))
                .map(t -> t.getSignal() + " " + t.getStartStep() + "–" + t.getEndStep() + " @" + t.getDetectedAtStep())
                .sorted().toList();
    }

    private static Map<String, Long> countInTopics(String bootstrap, String runId) {
        Map<String, Long> counts = new TreeMap<>();
        for (Topic<?> topic : KAFKA.catalogue().all()) {
            for (SpecificRecord e : TopicScan.readEvents(bootstrap, topic.name(), Duration.ofSeconds(30))) {
                if (runId.equals(ArchiveLayout.runId(e))) {
                    counts.merge(e.getClass().getSimpleName(), 1L, Long::sum);
                }
            }
        }
        return counts;
    }

    /** Counts with Avro's generic reader (no Spectroscope code), waiting until the archive has caught up. */
    private static Map<String, Long> awaitArchive(Path archive, String runId, Map<String, Long> expected)
            throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        Map<String, Long> counts = Map.of();
        while (System.nanoTime() < deadline) {
            List<GenericRecord> all = new ArrayList<>();
            for (Path f : ArchiveLayout.files(ArchiveLayout.runDir(archive, runId))) {
                try (DataFileReader<GenericRecord> reader = new DataFileReader<>(f.toFile(), new GenericDatumReader<>())) {
                    reader.forEach(all::add);
                }
            }
            counts = all.stream().collect(Collectors.groupingBy(r -> r.getSchema().getName(), TreeMap::new,
                    Collectors.counting()));
            if (counts.equals(expected)) {
                break;
            }
            Thread.sleep(500);
        }
        assertEquals(new RunArchive(archive).events(runId).size(), counts.values().stream().mapToLong(Long::longValue)
                .sum(), "no duplicates in a run without crashes");
        return counts;
    }
}
