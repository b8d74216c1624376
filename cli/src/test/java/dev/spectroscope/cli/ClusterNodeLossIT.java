package dev.spectroscope.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spectroscope.agent.AgentConfig;
import dev.spectroscope.agent.SpectroscopeAgent;
import dev.spectroscope.broker.EmbeddedKafkaCluster;
import dev.spectroscope.events.Checkpoint;
import dev.spectroscope.events.LlcEstimate;
import dev.spectroscope.events.RunEnded;
import dev.spectroscope.events.RunStarted;
import dev.spectroscope.events.RunStatus;
import dev.spectroscope.events.TrainingMetrics;
import dev.spectroscope.examples.TmsExample;
import dev.spectroscope.examples.TrainResult;
import dev.spectroscope.examples.TrainSettings;
import dev.spectroscope.probe.ProbeWorker;
import dev.spectroscope.probe.ProbeWorkerSettings;
import dev.spectroscope.process.ProcessorApp;
import dev.spectroscope.process.ProcessorSettings;
import dev.spectroscope.topics.TopicScan;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 8, point 2, on a three-node KRaft cluster on loopback (replication 3, min in-sync replicas 2): one
 * broker stopped in the middle of a TMS run loses no event and stops no run — every event arrives exactly
 * once, and every checkpoint still gets its estimate.
 */
class ClusterNodeLossIT {

    @TempDir
    Path work;

    @Test
    void stoppingOneBrokerOfThreeMidRunLosesNothing() throws Exception {
        try (EmbeddedKafkaCluster cluster = EmbeddedKafkaCluster.start(3, work.resolve("kafka"), "127.0.0.1", 0,
                "spectroscope.", 3)) {
            String bootstrap = cluster.bootstrapServers();
            Path blobs = work.resolve("blobs");
            long t0 = System.nanoTime();
            try (ProcessorApp processor = ProcessorApp.start(ProcessorSettings.defaults(bootstrap)
                    .withStateDir(work.resolve("streams")).withHttpPort(-1).withApplicationId("cluster-it"));
                 ProbeWorker worker = ProbeWorker.start(new ProbeWorkerSettings(bootstrap, "cluster-it-probe",
                         "spectroscope.", 1, blobs, Duration.ofSeconds(10), Map.of()));
                 SpectroscopeAgent agent = SpectroscopeAgent.start(AgentConfig.defaults().withBootstrapServers(bootstrap)
                         .withSpillDir(work.resolve("spill")).withBlobDir(blobs))) {
                AtomicReference<TrainResult> trained = new AtomicReference<>();
                Thread training = new Thread(() -> trained.set(TmsExample.train(agent,
                        new TrainSettings(1000, 1, "node-loss", 10, 100))));
                training.start();
                Thread.sleep(3000); // some steps in
                cluster.stopNode(2);
                training.join(TimeUnit.MINUTES.toMillis(5));
                assertTrue(trained.get() != null, "the run finished with a broker down");
                System.out.printf("PHASE trained in %.1f s%n", (System.nanoTime() - t0) / 1e9);
                agent.flush(Duration.ofSeconds(60));
                assertEquals(Map.of(), agent.stats().droppedCounts(), "the agent dropped nothing");

                Map<String, Integer> counts = new java.util.TreeMap<>();
                Set<String> ids = new HashSet<>();
                List<SpecificRecord> events = new ArrayList<>();
                for (String topic : List.of("spectroscope.runs", "spectroscope.metrics", "spectroscope.checkpoints")) {
                    events.addAll(TopicScan.readEvents(bootstrap, topic, Duration.ofSeconds(60)));
                }
                for (SpecificRecord e : events) {
                    String id = e.get(e.getSchema().getField("eventId").pos()).toString();
                    assertTrue(ids.add(id), "event " + id + " arrived twice");
                    counts.merge(e.getClass().getSimpleName(), 1, Integer::sum);
                }
                assertEquals(Map.of("Checkpoint", 10, "RunEnded", 1, "RunStarted", 1, "TrainingMetrics", 101), counts);
                assertTrue(events.stream().anyMatch(e -> e instanceof RunEnded r && r.getStatus() == RunStatus.FINISHED));
                assertTrue(events.stream().filter(RunStarted.class::isInstance).count() == 1);

                long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
                Set<Long> estimated = new HashSet<>();
                while (estimated.size() < 10 && System.nanoTime() < deadline) {
                    estimated.clear();
                    for (SpecificRecord r : TopicScan.readEvents(bootstrap, "spectroscope.estimates",
                            Duration.ofSeconds(60))) {
                        if (r instanceof LlcEstimate e) {
                            estimated.add(e.getStep());
                        }
                    }
                    Thread.sleep(1000);
                }
                System.out.printf("PHASE estimated in %.1f s%n", (System.nanoTime() - t0) / 1e9);
                assertEquals(10, estimated.size(), "every checkpoint estimated with a broker down: " + estimated);
                assertEquals(10, events.stream().filter(Checkpoint.class::isInstance).count());
                assertTrue(events.stream().filter(TrainingMetrics.class::isInstance).count() > 0);
            }
        }
    }
}
