package dev.spectroscope.bench;

import dev.spectroscope.agent.AgentConfig;
import dev.spectroscope.agent.SpectroscopeAgent;
import dev.spectroscope.broker.BrokerSettings;
import dev.spectroscope.broker.EmbeddedKafkaBroker;
import dev.spectroscope.examples.TmsExample;
import dev.spectroscope.examples.TrainSettings;
import dev.spectroscope.probe.ProbeWorker;
import dev.spectroscope.probe.ProbeWorkerSettings;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.common.utils.Utils;

/**
 * How probe workers scale: a backlog of TMS checkpoints (runs chosen to land one per partition) is cleared
 * by one worker, then — as a fresh consumer group reading the same backlog from the start — by two. Both
 * in one run on the same broker, so the ratio is the figure.
 *
 * <pre>bench/run probe-scaling [--runs 4] [--steps 2000] [--max-workers 2]</pre>
 */
public final class ProbeScalingBench {

    public static void main(String[] args) throws Exception {
        int runs = 4;
        // 80 checkpoints: with 40, the group's join and first rebalance (2–3 s of a 12-s clear) moved the
        // speed-up between 1.57× and 1.69× from run to run; the longer backlog measures the workers, not the join.
        int steps = 2000;
        int maxWorkers = 2;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--runs" -> runs = Integer.parseInt(args[++i]);
                case "--steps" -> steps = Integer.parseInt(args[++i]);
                case "--max-workers" -> maxWorkers = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]
                        + "; options: --runs N --steps N --max-workers N");
            }
        }
        Path work = ScratchDirectory.create("spectroscope-probe-scaling-").path(); // deleted when the JVM exits
        Path blobs = work.resolve("blobs");
        int partitions = runs;
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(BrokerSettings.ephemeral(work.resolve("kafka"))
                .withTopics("spectroscope.", partitions))) {
            String bootstrap = broker.bootstrapServers();
            List<String> ids = runIdsOnePerPartition(runs, partitions);
            try (SpectroscopeAgent agent = SpectroscopeAgent.start(AgentConfig.defaults().withBootstrapServers(bootstrap)
                    .withSpillDir(work.resolve("spill")).withBlobDir(blobs))) {
                for (int r = 0; r < runs; r++) {
                    TmsExample.train(agent, new TrainSettings(steps, r + 1, ids.get(r), 10, 100));
                }
            }
            int checkpoints = runs * (steps / 100);
            System.out.printf(Locale.ROOT, "Backlog: %d checkpoints of %d TMS runs on %d partitions; each checkpoint is "
                    + "4 chains × 3 temperatures × 2,000 SGLD steps%n", checkpoints, runs, partitions);
            System.out.printf("%-8s %12s %16s %10s%n", "workers", "seconds", "checkpoints/s", "speed-up");
            double base = 0;
            for (int workers = 1; workers <= maxWorkers; workers++) {
                double seconds = clear(bootstrap, blobs, "scaling-" + workers, workers, checkpoints);
                if (workers == 1) {
                    base = seconds;
                }
                System.out.printf(Locale.ROOT, "%-8d %12.1f %16.2f %9.2f×%n", workers, seconds, checkpoints / seconds,
                        base / seconds);
            }
        }
    }

    /** Seconds for {@code workers} workers (one sampling thread each) in a new group to probe the backlog. */
    private static double clear(String bootstrap, Path blobs, String group, int workers, int checkpoints)
            throws Exception {
        List<ProbeWorker> started = new ArrayList<>();
        long t0 = System.nanoTime();
        try {
            for (int w = 0; w < workers; w++) {
                started.add(ProbeWorker.start(new ProbeWorkerSettings(bootstrap, group, "spectroscope.", 1, blobs,
                        Duration.ofSeconds(10), Map.of())));
            }
            while (started.stream().mapToLong(ProbeWorker::probedCount).sum() < checkpoints) {
                Thread.sleep(100);
            }
            return (System.nanoTime() - t0) / 1e9;
        } finally {
            started.forEach(ProbeWorker::close);
        }
    }

    /** Run ids whose records land one per partition under Kafka's default partitioner (murmur2 of the key). */
    static List<String> runIdsOnePerPartition(int runs, int partitions) {
        String[] chosen = new String[partitions];
        int found = 0;
        for (int i = 0; found < Math.min(runs, partitions); i++) {
            String id = "scaling-run-" + i;
            int p = Utils.toPositive(Utils.murmur2(id.getBytes(StandardCharsets.UTF_8))) % partitions;
            if (chosen[p] == null) {
                chosen[p] = id;
                found++;
            }
        }
        List<String> out = new ArrayList<>(List.of(chosen));
        out.removeIf(java.util.Objects::isNull);
        return out;
    }
}
