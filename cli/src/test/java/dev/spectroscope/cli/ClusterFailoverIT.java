package dev.spectroscope.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spectroscope.agent.AgentConfig;
import dev.spectroscope.agent.SpectroscopeAgent;
import dev.spectroscope.broker.EmbeddedKafkaCluster;
import dev.spectroscope.events.Alert;
import dev.spectroscope.events.LlcEstimate;
import dev.spectroscope.events.PhaseTransition;
import dev.spectroscope.examples.TmsExample;
import dev.spectroscope.examples.TrainSettings;
import dev.spectroscope.topics.TopicScan;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.IntPredicate;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 8, point 1: four concurrent TMS runs on a three-node KRaft cluster (replication 3, min in-sync
 * replicas 2), processed by two {@code spectroscope process} and two {@code spectroscope probe-worker}
 * processes. The four seeds run twice: once undisturbed, then again while one processor and one probe worker
 * are killed with SIGKILL. The disturbed runs must end with exactly one LlcEstimate per checkpoint, equal to the
 * undisturbed one, and the same phase transitions.
 */
class ClusterFailoverIT {

    private static final int RUNS = 4;
    private static final int STEPS = 2500;
    private static final int CHECKPOINT_EVERY = 100;
    private static final int CHECKPOINTS = STEPS / CHECKPOINT_EVERY;
    private static final int PARTITIONS = 3;

    @TempDir
    Path work;
    private final List<Process> children = new ArrayList<>();
    private final Map<Process, Path> logs = new HashMap<>();

    @AfterEach
    void stopChildren() throws InterruptedException {
        for (Process child : children) {
            child.destroy();
        }
        for (Process child : children) {
            if (!child.waitFor(30, TimeUnit.SECONDS)) {
                child.destroyForcibly();
            }
        }
    }

    @Test
    void killingOneProcessorAndOneProbeWorkerChangesNoEstimateAndNoTransition() throws Exception {
        try (EmbeddedKafkaCluster cluster = EmbeddedKafkaCluster.start(3, work.resolve("kafka"), "127.0.0.1", 0,
                "spectroscope.", PARTITIONS)) {
            String bootstrap = cluster.bootstrapServers();
            Path blobs = work.resolve("blobs");
            Process processor1 = child("process-1", "process", "--bootstrap-servers", bootstrap, "--application-id",
                    "failover", "--state-dir", work.resolve("streams-1").toString(), "--http-port", "-1");
            child("process-2", "process", "--bootstrap-servers", bootstrap, "--application-id", "failover",
                    "--state-dir", work.resolve("streams-2").toString(), "--http-port", "-1");
            Process worker1 = child("worker-1", "probe-worker", "--bootstrap-servers", bootstrap, "--group-id",
                    "failover-probe", "--threads", "1", "--blob-dir", blobs.toString());
            child("worker-2", "probe-worker", "--bootstrap-servers", bootstrap, "--group-id", "failover-probe",
                    "--threads", "1", "--blob-dir", blobs.toString());

            try (SpectroscopeAgent agent = SpectroscopeAgent.start(AgentConfig.defaults().withBootstrapServers(bootstrap)
                    .withSpillDir(work.resolve("spill")).withBlobDir(blobs))) {
                long t0 = System.nanoTime();
                List<String> steady = runIds("steady");
                train(agent, steady);
                awaitEstimates(bootstrap, steady, count -> false);
                System.out.printf(Locale.ROOT, "PHASE undisturbed runs estimated in %.1f s%n",
                        (System.nanoTime() - t0) / 1e9);

                List<String> killed = runIds("killed");
                train(agent, killed);
                int[] atKill = {-1};
                awaitEstimates(bootstrap, killed, count -> {
                    if (atKill[0] < 0 && count >= RUNS * CHECKPOINTS / 5) {
                        atKill[0] = count;
                        processor1.destroyForcibly(); // SIGKILL: no shutdown hook, no clean commit
                        worker1.destroyForcibly();
                        System.out.printf(Locale.ROOT, "PHASE killed one processor and one worker at %d of %d "
                                + "estimates%n", count, RUNS * CHECKPOINTS);
                    }
                    return false;
                });
                assertTrue(atKill[0] > 0 && atKill[0] < RUNS * CHECKPOINTS, "the kill came mid-run: " + atKill[0]);
                System.out.printf(Locale.ROOT, "PHASE disturbed runs estimated in %.1f s%n",
                        (System.nanoTime() - t0) / 1e9);
                Thread.sleep(5000); // a duplicate, or a transition reported at the end of a run, arrives by now

                Map<String, List<LlcEstimate>> estimates = estimatesByRun(bootstrap);
                Map<String, List<String>> transitions = transitionsByRun(bootstrap);
                for (int i = 0; i < RUNS; i++) {
                    String base = steady.get(i);
                    String disturbed = killed.get(i);
                    assertOnePerCheckpoint(estimates.getOrDefault(base, List.of()), base);
                    assertOnePerCheckpoint(estimates.getOrDefault(disturbed, List.of()), disturbed);
                    assertEquals(values(estimates.get(base)), values(estimates.get(disturbed)),
                            "λ̂ per checkpoint of seed " + (i + 1) + ", undisturbed vs disturbed");
                    assertEquals(transitions.getOrDefault(base, List.of()), transitions.getOrDefault(disturbed,
                            List.of()), "phase transitions of seed " + (i + 1) + ", undisturbed vs disturbed");
                }
                long withTransitions = steady.stream().filter(r -> !transitions.getOrDefault(r, List.of()).isEmpty())
                        .count();
                assertTrue(withTransitions >= 3, "the TMS runs move between k-gons: " + transitions);
                Map<String, Integer> deliveries = new TreeMap<>();
                Map<String, List<String>> alerts = new HashMap<>();
                for (SpecificRecord r : TopicScan.readEvents(bootstrap, "spectroscope.alerts", Duration.ofSeconds(30))) {
                    Alert a = (Alert) r;
                    alerts.computeIfAbsent(a.getRunId(), k -> new ArrayList<>()).add(a.getKind() + " at " + a.getStep()
                            + (a.getResolved() ? " resolved" : " firing"));
                    if (killed.contains(a.getRunId())) {
                        deliveries.merge(a.getDedupKey() + (a.getResolved() ? "|resolved" : ""), 1, Integer::sum);
                    }
                }
                alerts.values().forEach(list -> list.sort(null));
                assertTrue(deliveries.values().stream().allMatch(n -> n == 1), "alerts of the disturbed runs by key: "
                        + deliveries);
                for (int i = 0; i < RUNS; i++) {
                    assertEquals(alerts.get(steady.get(i)), alerts.get(killed.get(i)), "alerts of seed " + (i + 1)
                            + ", undisturbed vs disturbed");
                }
                System.out.println("PHASE transitions " + transitions);
            }
        } catch (AssertionError | RuntimeException e) {
            printLogs();
            throw e;
        }
    }

    /** Four run ids, one per seed, spread over every partition so that each instance has work to lose. */
    private static List<String> runIds(String prefix) {
        List<String> ids = new ArrayList<>();
        for (int seed = 1; seed <= RUNS; seed++) {
            int wanted = (seed - 1) % PARTITIONS;
            for (int salt = 0; ; salt++) {
                String id = prefix + "-s" + seed + "-" + salt;
                if (Utils.toPositive(Utils.murmur2(id.getBytes(StandardCharsets.UTF_8))) % PARTITIONS == wanted) {
                    ids.add(id);
                    break;
                }
            }
        }
        return ids;
    }

    private static void train(SpectroscopeAgent agent, List<String> runIds) throws InterruptedException {
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < runIds.size(); i++) {
            TrainSettings settings = new TrainSettings(STEPS, i + 1, runIds.get(i), 10, CHECKPOINT_EVERY);
            Thread t = new Thread(() -> TmsExample.train(agent, settings), "train-" + runIds.get(i));
            t.start();
            threads.add(t);
        }
        for (Thread t : threads) {
            t.join(TimeUnit.MINUTES.toMillis(5));
        }
    }

    /** Polls until every checkpoint of the runs has an estimate; {@code onCount} sees the count on the way. */
    private static void awaitEstimates(String bootstrap, List<String> runs, IntPredicate onCount)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(6);
        int count = 0;
        while (System.nanoTime() < deadline) {
            Map<String, List<LlcEstimate>> byRun = estimatesByRun(bootstrap);
            count = (int) runs.stream().flatMap(r -> byRun.getOrDefault(r, List.of()).stream())
                    .map(e -> e.getRunId() + "@" + e.getStep()).distinct().count();
            onCount.test(count);
            if (count >= runs.size() * CHECKPOINTS) {
                return;
            }
            Thread.sleep(1000);
        }
        throw new AssertionError("only " + count + " of " + runs.size() * CHECKPOINTS + " checkpoints of " + runs
                + " were estimated in 6 minutes");
    }

    private static Map<String, List<LlcEstimate>> estimatesByRun(String bootstrap) {
        Map<String, List<LlcEstimate>> out = new HashMap<>();
        for (SpecificRecord r : TopicScan.readEvents(bootstrap, "spectroscope.estimates", Duration.ofSeconds(30))) {
            if (r instanceof LlcEstimate e) {
                out.computeIfAbsent(e.getRunId(), k -> new ArrayList<>()).add(e);
            }
        }
        return out;
    }

    /** Each run's transitions as signal, start, end, detected-at and levels: everything but the ids and times. */
    private static Map<String, List<String>> transitionsByRun(String bootstrap) {
        Map<String, List<String>> out = new HashMap<>();
        for (SpecificRecord r : TopicScan.readEvents(bootstrap, "spectroscope.transitions", Duration.ofSeconds(30))) {
            PhaseTransition t = (PhaseTransition) r;
            out.computeIfAbsent(t.getRunId(), k -> new ArrayList<>()).add(String.format(Locale.ROOT,
                    "%s %d→%d detected %d, level %.6g→%.6g", t.getSignal(), t.getStartStep(), t.getEndStep(),
                    t.getDetectedAtStep(), t.getLevelBefore(), t.getLevelAfter()));
        }
        out.values().forEach(list -> list.sort(null));
        return out;
    }

    private static void assertOnePerCheckpoint(List<LlcEstimate> estimates, String run) {
        Map<Long, Integer> perStep = new TreeMap<>();
        estimates.forEach(e -> perStep.merge(e.getStep(), 1, Integer::sum));
        assertEquals(CHECKPOINTS, perStep.size(), "checkpoints of " + run + " with an estimate: " + perStep.keySet());
        assertTrue(perStep.values().stream().allMatch(n -> n == 1), "estimates per checkpoint of " + run + ": "
                + perStep);
    }

    private static Map<Long, Double> values(List<LlcEstimate> estimates) {
        Map<Long, Double> out = new TreeMap<>();
        estimates.forEach(e -> out.put(e.getStep(), e.getLlcMean()));
        return out;
    }

    private Process child(String name, String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of("..", "bin", "spectroscope").toAbsolutePath().normalize().toString());
        command.addAll(List.of(args));
        Path log = work.resolve(name + ".log");
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().put("SPECTROSCOPE_JAVA_OPTS", "-Xmx512m -XX:+UseSerialGC");
        Process process = builder.start();
        children.add(process);
        logs.put(process, log);
        return process;
    }

    private void printLogs() {
        logs.forEach((process, log) -> {
            try {
                List<String> lines = Files.readAllLines(log);
                System.out.println("---- " + log.getFileName() + " (last 30 lines)");
                lines.subList(Math.max(0, lines.size() - 30), lines.size()).forEach(System.out::println);
            } catch (IOException e) {
                System.out.println("---- " + log.getFileName() + ": " + e.getMessage());
            }
        });
    }
}
