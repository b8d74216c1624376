package dev.spectroscope.bench;

import dev.spectroscope.agent.AgentConfig;
import dev.spectroscope.agent.SpectroscopeAgent;
import dev.spectroscope.blob.FileBlobStore;
import dev.spectroscope.broker.BrokerSettings;
import dev.spectroscope.broker.EmbeddedKafkaBroker;
import dev.spectroscope.checkpoint.CheckpointParameters;
import dev.spectroscope.topics.TopicScan;
import dev.spectroscope.events.Alert;
import dev.spectroscope.events.Checkpoint;
import dev.spectroscope.events.LlcEstimate;
import dev.spectroscope.events.PhaseTransition;
import dev.spectroscope.examples.TmsExample;
import dev.spectroscope.examples.TmsGroundTruth;
import dev.spectroscope.examples.TrainSettings;
import dev.spectroscope.probe.ProbeWorker;
import dev.spectroscope.probe.ProbeWorkerSettings;
import dev.spectroscope.process.ProcessorApp;
import dev.spectroscope.process.ProcessorSettings;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.avro.specific.SpecificRecord;

/**
 * Phase-transition detection against the TMS weights' own account (SCIENCE.md §5), through the whole live
 * pipeline: for each seed a real TMS run streams through the embedded broker, the probe worker and the
 * processor; k(t) is then read from the checkpoint weights and each of its changes (held 3 checkpoints)
 * is matched to the PhaseTransitions. Writes docs/benchmarks/transitions.md.
 *
 * <p>{@code bench/run transitions [--seeds 1,2,3,4,5] [--steps 3000] [--out FILE]}
 */
public final class TransitionsBench {

    static final int CHECKPOINT_EVERY = 100;
    static final int TOLERANCE_CHECKPOINTS = 2;

    private TransitionsBench() {
    }

    record Outcome(long seed, List<TmsGroundTruth.Change> changes, List<PhaseTransition> transitions,
                   List<String> rows, int missed, int unmatched, int wrongConcept) {
    }

    public static void main(String[] args) throws Exception {
        List<Long> seeds = List.of(1L, 2L, 3L, 4L, 5L);
        int steps = 3000;
        Path out = Path.of("docs", "benchmarks", "transitions.md");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--seeds" -> seeds = java.util.Arrays.stream(args[++i].split(",")).map(Long::parseLong).toList();
                case "--steps" -> steps = Integer.parseInt(args[++i]);
                case "--out" -> out = Path.of(args[++i]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]
                        + "; use --seeds 1,2,3, --steps N, --out FILE");
            }
        }
        Path work = ScratchDirectory.create("spectroscope-transitions").path(); // deleted when the JVM exits
        List<Outcome> outcomes = new ArrayList<>();
        long started = System.nanoTime();
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(BrokerSettings.ephemeral(work.resolve("kafka")));
             ProcessorApp processor = ProcessorApp.start(ProcessorSettings.defaults(broker.bootstrapServers())
                     .withStateDir(work.resolve("streams")).withHttpPort(-1));
             ProbeWorker worker = ProbeWorker.start(new ProbeWorkerSettings(broker.bootstrapServers(),
                     "bench-probe", "spectroscope.", 2, work.resolve("blobs"), Duration.ofSeconds(10), Map.of()))) {
            for (long seed : seeds) {
                outcomes.add(run(broker.bootstrapServers(), work, seed, steps));
            }
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        write(outcomes, steps, seconds, out);
    }

    static Outcome run(String bootstrap, Path work, long seed, int steps) throws Exception {
        String runId = "tms-seed-" + seed;
        AgentConfig config = AgentConfig.defaults().withBootstrapServers(bootstrap)
                .withSpillDir(work.resolve("spill-" + seed)).withBlobDir(work.resolve("blobs"));
        try (SpectroscopeAgent agent = SpectroscopeAgent.start(config)) {
            TmsExample.train(agent, new TrainSettings(steps, seed, runId, 1, CHECKPOINT_EVERY));
        }
        long last = (steps / CHECKPOINT_EVERY) * CHECKPOINT_EVERY - 1;
        awaitEstimate(bootstrap, runId, last, Duration.ofMinutes(5));
        Thread.sleep(2000); // the monitor reads the last estimate back before the topics are read

        List<TmsGroundTruth.Snapshot> snapshots = new ArrayList<>();
        FileBlobStore blobs = new FileBlobStore(work.resolve("blobs"));
        for (SpecificRecord r : read(bootstrap, "spectroscope.checkpoints")) {
            Checkpoint c = (Checkpoint) r;
            if (c.getRunId().equals(runId)) {
                snapshots.add(new TmsGroundTruth.Snapshot(c.getStep(), CheckpointParameters.read(c, blobs)));
            }
        }
        snapshots.sort(Comparator.comparingLong(TmsGroundTruth.Snapshot::step));
        List<TmsGroundTruth.Change> changes = TmsGroundTruth.changes(snapshots);
        List<PhaseTransition> transitions = read(bootstrap, "spectroscope.transitions").stream()
                .map(PhaseTransition.class::cast).filter(t -> t.getRunId().equals(runId))
                .sorted(Comparator.comparingLong(PhaseTransition::getStartStep)).toList();
        List<Alert> alerts = read(bootstrap, "spectroscope.alerts").stream().map(Alert.class::cast)
                .filter(a -> a.getRunId().equals(runId) && a.getKind().equals("phase-transition")).toList();

        long tolerance = (long) TOLERANCE_CHECKPOINTS * CHECKPOINT_EVERY;
        List<String> rows = new ArrayList<>();
        int missed = 0;
        int wrongConcept = 0;
        for (TmsGroundTruth.Change c : changes) {
            PhaseTransition match = transitions.stream()
                    .filter(t -> Math.abs(t.getStartStep() - c.onsetStep()) <= tolerance)
                    .min(Comparator.comparingLong(t -> Math.abs(t.getStartStep() - c.onsetStep()))).orElse(null);
            if (match == null) {
                missed++;
                rows.add(String.format(Locale.ROOT, "| %d | %d → %d at %d (held from %d) | %s | — | — | — | — | missed |",
                        seed, c.from(), c.to(), c.onsetStep(), c.settledStep(), features(c)));
                continue;
            }
            String top = match.getTopConcepts().isEmpty() ? "—" : match.getTopConcepts().get(0).getProbe();
            boolean conceptOk = c.gained().stream().anyMatch(f -> ("feature-" + f).equals(top));
            if (!conceptOk) {
                wrongConcept++;
            }
            Alert alert = alerts.stream().filter(a -> a.getDedupKey().equals(match.getTransitionId())).findFirst()
                    .orElse(null);
            long alertStep = alert == null || alert.getStep() == null ? match.getDetectedAtStep() : alert.getStep();
            rows.add(String.format(Locale.ROOT, "| %d | %d → %d at %d (held from %d) | %s | %s: %d–%d | %+d | %s%s | %d | %s |",
                    seed, c.from(), c.to(), c.onsetStep(), c.settledStep(), features(c), match.getSignal(),
                    match.getStartStep(), match.getEndStep(), match.getStartStep() - c.onsetStep(), top,
                    conceptOk ? "" : " (not gained)", alertStep - c.onsetStep(), "detected"));
        }
        int unmatched = 0;
        for (PhaseTransition t : transitions) {
            boolean matches = changes.stream().anyMatch(c -> Math.abs(t.getStartStep() - c.onsetStep()) <= tolerance);
            if (!matches) {
                unmatched++;
                String top = t.getTopConcepts().isEmpty() ? "—" : t.getTopConcepts().get(0).getProbe();
                rows.add(String.format(Locale.ROOT, "| %d | (none) | — | %s: %d–%d | — | %s | — | unmatched |", seed,
                        t.getSignal(), t.getStartStep(), t.getEndStep(), top));
            }
        }
        System.out.printf(Locale.ROOT, "seed %d: %d changes of k, %d transitions, %d missed, %d unmatched, %d with "
                + "a top concept not gained%n", seed, changes.size(), transitions.size(), missed, unmatched,
                wrongConcept);
        rows.forEach(System.out::println);
        return new Outcome(seed, changes, transitions, rows, missed, unmatched, wrongConcept);
    }

    private static String features(TmsGroundTruth.Change c) {
        return c.gained().isEmpty() ? "—" : c.gained().stream().map(f -> "feature-" + f)
                .collect(Collectors.joining(", "));
    }

    static void awaitEstimate(String bootstrap, String runId, long step, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            boolean found = read(bootstrap, "spectroscope.estimates").stream().anyMatch(r -> r instanceof LlcEstimate e
                    && e.getRunId().equals(runId) && e.getStep() == step);
            if (found) {
                return;
            }
            Thread.sleep(1000);
        }
        throw new IllegalStateException("no estimate of run " + runId + " step " + step + " within " + timeout);
    }

    static List<SpecificRecord> read(String bootstrap, String topic) {
        return TopicScan.readEvents(bootstrap, topic, Duration.ofSeconds(60));
    }

    static void write(List<Outcome> outcomes, int steps, double seconds, Path out) throws IOException {
        int changes = outcomes.stream().mapToInt(o -> o.changes().size()).sum();
        int missed = outcomes.stream().mapToInt(Outcome::missed).sum();
        int wrong = outcomes.stream().mapToInt(Outcome::wrongConcept).sum();
        int maxUnmatched = outcomes.stream().mapToInt(Outcome::unmatched).max().orElse(0);
        StringBuilder md = new StringBuilder();
        md.append("# Phase transitions on the toy model of superposition\n\n");
        md.append("Measured with `bench/run transitions` (").append(outcomes.size()).append(" seeds, ").append(steps)
                .append(" steps each, a checkpoint every ").append(CHECKPOINT_EVERY).append(" steps; ")
                .append(String.format(Locale.ROOT, "%.0f s in all on this machine", seconds)).append(").\n\n");
        md.append("Each seed is a real TMS run (SameDiff, F = 6, H = 2, SGD at lr 0.02) streamed by the agent through "
                + "the embedded broker, the probe worker (SGLD chains at nβ·{1, 2, 4}) and the processor's online "
                + "detectors. The ground truth is the run's own weights: k(t), the number of columns of W with norm "
                + "above 0.5 at each checkpoint, and its changes, each counted once the new value has held for 3 "
                + "checkpoints. A change is *at* its onset, the first checkpoint where k left the old value (the "
                + "checkpoint where the new value's hold began is shown too). A change is detected when a "
                + "PhaseTransition starts within 2 checkpoints (200 steps) of its onset; the delay is from the onset "
                + "to the step at which the transition's alert was raised (the detectors report a move when it has "
                + "settled, so the delay includes the move itself).\n\n");
        md.append(String.format(Locale.ROOT, "**Summary**: %d of %d changes of k detected; at most %d unmatched "
                + "transition(s) in any run; %d matched transition(s) whose top concept probe is not a feature that "
                + "became represented.%n%n", changes - missed, changes, maxUnmatched, wrong));
        md.append("| seed | change of k | features gained | transition (signal: start–end) | start − onset | top "
                + "concept | delay to alert (steps) | |\n|---|---|---|---|---|---|---|---|\n");
        for (Outcome o : outcomes) {
            for (String row : o.rows()) {
                md.append(row).append('\n');
            }
        }
        md.append("\nReproduce: `mvn -q install -DskipTests && bench/run transitions`.\n");
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, md.toString(), StandardCharsets.UTF_8);
        System.out.println(md);
        System.out.println("written to " + out);
    }
}
