package dev.spectroscope.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.spectroscope.agent.AgentConfig;
import dev.spectroscope.agent.SpectroscopeAgent;
import dev.spectroscope.blob.FileBlobStore;
import dev.spectroscope.broker.EmbeddedKafkaExtension;
import dev.spectroscope.estimate.ChainEstimates;
import dev.spectroscope.estimate.OfflineEstimate;
import dev.spectroscope.topics.TopicScan;
import dev.spectroscope.events.Checkpoint;
import dev.spectroscope.events.LlcEstimate;
import dev.spectroscope.events.RunStarted;
import dev.spectroscope.examples.TmsExample;
import dev.spectroscope.examples.TrainResult;
import dev.spectroscope.examples.TrainSettings;
import dev.spectroscope.probe.ProbeWorker;
import dev.spectroscope.probe.ProbeWorkerSettings;
import dev.spectroscope.process.ProcessorApp;
import dev.spectroscope.process.ProcessorSettings;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real TMS training run with the agent, through the embedded broker, the probe worker and the processor:
 * every checkpoint gets an LlcEstimate equal to the one computed offline for the same checkpoint and seed,
 * and the query API shows the run.
 */
class PipelineEndToEndTest {

    @RegisterExtension
    static final EmbeddedKafkaExtension KAFKA = new EmbeddedKafkaExtension();

    @TempDir
    Path dir;

    @Test
    void everyCheckpointOfATmsRunGetsTheEstimateTheOfflineCommandComputes() throws Exception {
        String bootstrap = KAFKA.bootstrapServers();
        Path blobs = dir.resolve("blobs");
        ProcessorSettings processorSettings = ProcessorSettings.defaults(bootstrap).withStateDir(dir.resolve("streams"))
                .withHttpPort(0).withApplicationId("e2e-process");
        ProbeWorkerSettings workerSettings = new ProbeWorkerSettings(bootstrap, "e2e-probe", "spectroscope.", 2, blobs,
                Duration.ofSeconds(10), Map.of());
        TrainResult trained;
        try (ProcessorApp processor = ProcessorApp.start(processorSettings);
             ProbeWorker worker = ProbeWorker.start(workerSettings)) {
            AgentConfig agentConfig = AgentConfig.defaults().withBootstrapServers(bootstrap)
                    .withSpillDir(dir.resolve("spill")).withBlobDir(blobs);
            try (SpectroscopeAgent agent = SpectroscopeAgent.start(agentConfig)) {
                trained = TmsExample.train(agent, new TrainSettings(1000, 3, "e2e-tms", 10, 100));
            }
            int checkpoints = 10;
            Map<Long, LlcEstimate> online = awaitEstimates(bootstrap, trained.runId(), checkpoints,
                    Duration.ofSeconds(120));
            assertEquals(checkpoints, online.size(), "one LlcEstimate per checkpoint: " + online.keySet());

            HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://localhost:" + processor.queryPort() + "/runs/" + trained.runId())).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, response.statusCode(), response.body());
            JsonNode run = new ObjectMapper().readTree(response.body());
            assertEquals(999, run.get("latestStep").asLong());
            assertEquals(999, run.get("llc").get("step").asLong());
            assertEquals(online.get(999L).getLlcMean(), run.get("llc").get("mean").asDouble(), 1e-12);
            assertTrue(run.get("dos").get("lambda").isNumber(), response.body());

            // The same checkpoints, estimated offline with the same code and seed, give the same numbers.
            RunStarted started = read(bootstrap, "spectroscope.runs").stream().filter(RunStarted.class::isInstance)
                    .map(RunStarted.class::cast).filter(r -> r.getRunId().equals(trained.runId())).findFirst()
                    .orElseThrow();
            List<Checkpoint> saved = read(bootstrap, "spectroscope.checkpoints").stream()
                    .map(Checkpoint.class::cast).filter(c -> c.getRunId().equals(trained.runId())).toList();
            assertEquals(checkpoints, saved.size());
            for (Checkpoint c : List.of(saved.get(0), saved.get(4), saved.get(9))) {
                ChainEstimates.Estimates offline = OfflineEstimate.of(started, c, new FileBlobStore(blobs), 1);
                LlcEstimate live = online.get(c.getStep());
                assertEquals(offline.llc().getLlcMean(), live.getLlcMean(), 0.0, "step " + c.getStep());
                assertEquals(offline.llc().getLlcStd(), live.getLlcStd(), 0.0, "step " + c.getStep());
                assertEquals(offline.llc().getChainValues(), live.getChainValues());
            }
            assertTrue(worker.probedCount() >= checkpoints);
        }
    }

    static Map<Long, LlcEstimate> awaitEstimates(String bootstrap, String runId, int expected, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        Map<Long, LlcEstimate> found = new TreeMap<>();
        while (System.nanoTime() < deadline) {
            found.clear();
            for (SpecificRecord r : read(bootstrap, "spectroscope.estimates")) {
                if (r instanceof LlcEstimate e && e.getRunId().equals(runId)) {
                    found.put(e.getStep(), e);
                }
            }
            if (found.size() >= expected) {
                return found;
            }
            Thread.sleep(500);
        }
        return found;
    }

    static List<SpecificRecord> read(String bootstrap, String topic) {
        return TopicScan.readEvents(bootstrap, topic, Duration.ofSeconds(30));
    }
}
