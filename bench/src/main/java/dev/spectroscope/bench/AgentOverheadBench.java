package dev.spectroscope.bench;

import dev.spectroscope.agent.AgentConfig;
import dev.spectroscope.agent.Run;
import dev.spectroscope.agent.RunSpec;
import dev.spectroscope.agent.SpectroscopeAgent;
import dev.spectroscope.events.RunStatus;
import dev.spectroscope.examples.ModAddExample;
import dev.spectroscope.examples.TmsExample;
import dev.spectroscope.examples.TrainResult;
import dev.spectroscope.examples.TrainSettings;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.function.BiFunction;

/**
 * What the agent costs a training job, measured in one run:
 * <ol>
 *   <li>training-step time without the agent, with it offline (journal only) and with it streaming to a
 *       local broker, logging every step and checkpointing every 100, for TMS (SameDiff) and the modular
 *       addition MLP (DL4J), alternating the variants to spread the machine's noise;</li>
 *   <li>the CPU of the agent's own threads at a metric every 2.5 ms and a checkpoint every 100 metrics, without
 *       training (its claim on the cores the job shares with it);</li>
 *   <li>on a DL4J MLP: the listener's own work on the training thread, timed apart, and the step time in
 *       interleaved triples of blocks (no listener, a no-op listener, the agent's listener) with the medians'
 *       95% confidence intervals;</li>
 *   <li>the latency of the API calls (metrics, metrics with scalars, checkpoint of 10k floats);</li>
 *   <li>heap and journal size during a 60-second Kafka outage (a bootstrap address where nothing listens).</li>
 * </ol>
 * {@code bench/run agent-overhead [--steps N] [--rounds R] [--triples T] [--outage-seconds S]}; {@code --paired-only}
 * runs the second and third parts, {@code --background-only} the second.
 *
 * <p>Knobs for looking into a figure (JVM properties, through {@code BENCH_JAVA_OPTS}): {@code bench.logEvery} and
 * {@code bench.checkpointEvery} (the listener's intervals, 1 and 100), {@code bench.blockSteps} (100),
 * {@code bench.offline} (no broker), {@code bench.noCheckpoint} (metrics only in the background part),
 * {@code bench.perThread} (CPU per thread), {@code bench.warmupSeconds} and {@code bench.warmupFlushMillis} (40, 2).
 */
public final class AgentOverheadBench {

    private AgentOverheadBench() {
    }

    public static void main(String[] args) throws Exception {
        int steps = 2000;
        int rounds = 3;
        int outageSeconds = 60;
        int pairs = 100;
        boolean pairedOnly = false;
        boolean backgroundOnly = false;
        int rate = 400;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--pairs", "--triples" -> pairs = Integer.parseInt(args[++i]);
                case "--paired-only" -> pairedOnly = true;
                case "--background-only" -> backgroundOnly = true;
                case "--rate" -> rate = Integer.parseInt(args[++i]);
                case "--steps" -> steps = Integer.parseInt(args[++i]);
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--outage-seconds" -> outageSeconds = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        Path work = ScratchDirectory.create("spectroscope-bench-").path(); // deleted when the JVM exits
        // The broker runs as its own process, as Kafka does in any real deployment: inside this JVM its garbage
        // collections would pause the training thread and be billed to the agent.
        try (ExternalBroker broker = ExternalBroker.start(work.resolve("kafka"))) {
            if (backgroundOnly) {
                backgroundCpu(work, broker, rate, 20);
                return;
            }
            if (pairedOnly) {
                backgroundCpu(work, broker, rate, 20);
                pairedBlocks(work, broker, pairs);
                return;
            }
            System.out.println("Training-step time (ms per step; median of " + rounds + " alternating rounds of "
                    + steps + " steps; log every step, checkpoint every 100)");
            System.out.printf("%-10s %12s %16s %18s %14s %14s%n", "model", "no agent", "agent offline",
                    "agent + broker", "offline/none", "broker/none");
            stepTimes("tms", TmsExample::train, steps, rounds, work, broker);
            stepTimes("modadd", ModAddExample::train, steps, rounds, work, broker);
            backgroundCpu(work, broker, rate, 20);
            pairedBlocks(work, broker, pairs);
        }
        apiLatency(work);
        outage(work, outageSeconds);
    }

    private static void stepTimes(String name, BiFunction<SpectroscopeAgent, TrainSettings, TrainResult> job, int steps,
                                  int rounds, Path work, ExternalBroker broker) {
        TrainSettings settings = new TrainSettings(steps, 1, null, 1, 100);
        job.apply(null, new TrainSettings(Math.max(200, steps / 5), 2, null, 1, 100)); // warm-up
        double[] none = new double[rounds];
        double[] offline = new double[rounds];
        double[] online = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            none[r] = job.apply(null, settings).seconds() * 1000 / steps;
            try (SpectroscopeAgent agent = SpectroscopeAgent.start(config(work, null))) {
                offline[r] = job.apply(agent, settings).seconds() * 1000 / steps;
            }
            try (SpectroscopeAgent agent = SpectroscopeAgent.start(config(work, broker.bootstrapServers()))) {
                online[r] = job.apply(agent, settings).seconds() * 1000 / steps;
            }
        }
        double n = median(none);
        double off = median(offline);
        double on = median(online);
        System.out.printf(Locale.ROOT, "%-10s %12.3f %16.3f %18.3f %+13.1f%% %+13.1f%%%n", name, n, off, on,
                100 * (off / n - 1), 100 * (on / n - 1));
    }

    /**
     * The same DL4J network (a 46-128-23 MLP, batch 317) trains in blocks of {@code blockSteps} steps under three
     * conditions, interleaved: no listener, a no-op listener (the control: what any listener and the machine's
     * noise cost), and the agent's listener (log every step, checkpoint every 100, streaming to the broker). A
     * triple's blocks run back to back in one of the six orders, cycled, so whatever favours a position or a
     * predecessor cancels out, and neighbouring blocks see the same machine noise: the median of the triples'
     * ratios resolves far smaller costs than separate runs do. The agent runs throughout, as in a job.
     */
    private static void pairedBlocks(Path work, ExternalBroker broker, int triples) {
        org.deeplearning4j.nn.multilayer.MultiLayerNetwork net = new org.deeplearning4j.nn.multilayer.MultiLayerNetwork(
                new org.deeplearning4j.nn.conf.NeuralNetConfiguration.Builder().seed(1)
                        .dataType(org.nd4j.linalg.api.buffer.DataType.FLOAT)
                        .updater(new org.nd4j.linalg.learning.config.Adam(1e-3)).list()
                        .layer(new org.deeplearning4j.nn.conf.layers.DenseLayer.Builder().nIn(46).nOut(128)
                                .activation(org.nd4j.linalg.activations.Activation.RELU).build())
                        .layer(new org.deeplearning4j.nn.conf.layers.OutputLayer.Builder(
                                org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction.MCXENT).nIn(128).nOut(23)
                                .activation(org.nd4j.linalg.activations.Activation.SOFTMAX).build())
                        .build());
        net.init();
        org.nd4j.linalg.dataset.DataSet data = new org.nd4j.linalg.dataset.DataSet(
                org.nd4j.linalg.factory.Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT, 317, 46),
                org.nd4j.linalg.factory.Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT, 317, 23));
        int blockSteps = Integer.getInteger("bench.blockSteps", 100);
        int[][] orders = {{0, 1, 2}, {0, 2, 1}, {1, 0, 2}, {1, 2, 0}, {2, 0, 1}, {2, 1, 0}};
        double[] controlRatios = new double[triples];
        double[] agentRatios = new double[triples];
        double[] agentOverControl = new double[triples];
        long[] totals = new long[3];
        long[] cpuTotals = new long[3];
        double listenerMicros;
        java.lang.management.ThreadMXBean cpuClock = java.lang.management.ManagementFactory.getThreadMXBean();
        try (SpectroscopeAgent agent = SpectroscopeAgent.start(config(work,
                Boolean.getBoolean("bench.offline") ? null : broker.bootstrapServers()))) {
            Run run = agent.startRun(RunSpec.named("paired").trainingSetSize(317));
            org.deeplearning4j.optimize.api.TrainingListener[] listeners = {null,
                    new org.deeplearning4j.optimize.api.BaseTrainingListener() { },
                    new dev.spectroscope.agent.dl4j.SpectroscopeListener(run, Integer.getInteger("bench.logEvery", 1),
                            Integer.getInteger("bench.checkpointEvery", 100), java.util.Map.of())};
            listenerMicros = listenerCost(net, listeners[2]);
            // Warm-up: the network's and the agent's code compiled, the broker's topics and connections made.
            for (int w = 0; w < 6; w++) {
                for (int c : orders[w]) {
                    block(net, data, blockSteps, listeners[c]);
                }
            }
            java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
            long mainThread = Thread.currentThread().getId();
            long othersBefore = otherThreadsCpu(threads, mainThread);
            long mainBefore = threads.getCurrentThreadCpuTime();
            long wallBefore = System.nanoTime();
            for (int t = 0; t < triples; t++) {
                long[] nanos = new long[3];
                for (int c : orders[t % orders.length]) {
                    long cpu0 = cpuClock.getCurrentThreadCpuTime();
                    nanos[c] = block(net, data, blockSteps, listeners[c]);
                    cpuTotals[c] += cpuClock.getCurrentThreadCpuTime() - cpu0;
                    totals[c] += nanos[c];
                }
                controlRatios[t] = (double) nanos[1] / nanos[0];
                agentRatios[t] = (double) nanos[2] / nanos[0];
                agentOverControl[t] = (double) nanos[2] / nanos[1];
            }
            System.out.printf(Locale.ROOT, "%-10s training thread %.1f s CPU, the JVM's other threads %.1f s CPU, in %.1f s; "
                    + "%d events sent%n", "", (threads.getCurrentThreadCpuTime() - mainBefore) / 1e9,
                    (otherThreadsCpu(threads, mainThread) - othersBefore) / 1e9, (System.nanoTime() - wallBefore) / 1e9,
                    agent.stats().sentCount());
            run.finish(RunStatus.FINISHED);
        }
        System.out.printf(Locale.ROOT, "%-10s %d triples of %d-step blocks (none / no-op listener / agent listener), "
                + "step time relative to no listener:%n", "mlp", triples, blockSteps);
        System.out.printf(Locale.ROOT, "%-10s   no-op listener (control)   median %+.2f%%  [%+.2f%%, %+.2f%%]  totals %+.2f%%%n", "",
                100 * (median(controlRatios) - 1), 100 * (quantileCi(controlRatios, false) - 1),
                100 * (quantileCi(controlRatios, true) - 1), 100 * ((double) totals[1] / totals[0] - 1));
        System.out.printf(Locale.ROOT, "%-10s   agent listener             median %+.2f%%  [%+.2f%%, %+.2f%%]  totals %+.2f%%%n", "",
                100 * (median(agentRatios) - 1), 100 * (quantileCi(agentRatios, false) - 1),
                100 * (quantileCi(agentRatios, true) - 1), 100 * ((double) totals[2] / totals[0] - 1));
        System.out.printf(Locale.ROOT, "%-10s   agent over the control     median %+.2f%%  [%+.2f%%, %+.2f%%]  totals %+.2f%%%n", "",
                100 * (median(agentOverControl) - 1), 100 * (quantileCi(agentOverControl, false) - 1),
                100 * (quantileCi(agentOverControl, true) - 1), 100 * ((double) totals[2] / totals[1] - 1));
        System.out.printf(Locale.ROOT, "%-10s   training thread's own CPU per step: none %.1f µs, no-op listener %+.2f%%, "
                + "agent listener %+.2f%%%n", "", cpuTotals[0] / 1e3 / triples / blockSteps,
                100 * ((double) cpuTotals[1] / cpuTotals[0] - 1), 100 * ((double) cpuTotals[2] / cpuTotals[0] - 1));
        double stepMicros = totals[0] / 1e3 / triples / blockSteps;
        System.out.printf(Locale.ROOT, "%-10s   the listener's own work on the training thread: %.2f µs per step = %.3f%% of "
                + "a %.0f µs step (timed apart: a metric every call, a 9k-parameter checkpoint every 100th)%n", "",
                listenerMicros, 100 * listenerMicros / stepMicros, stepMicros);
        System.out.printf(Locale.ROOT, "%-10s   (brackets: a distribution-free 95%% confidence interval of the median)%n", "");
    }

    /**
     * What the listener itself costs the training thread, without training in between: {@code iterationDone} called
     * as DL4J calls it after each step (a metric every call, a checkpoint every 100th), timed over 20,000 calls after
     * 20,000 of warm-up. Measured apart from the training because a 1% difference in a noisy step time takes
     * thousands of blocks to resolve, while this is the whole of the listener's work on that thread.
     */
    private static double listenerCost(org.deeplearning4j.nn.multilayer.MultiLayerNetwork net,
                                       org.deeplearning4j.optimize.api.TrainingListener listener) {
        int calls = 20_000;
        int base = 1_000_000;
        for (int i = 0; i < calls; i++) {
            listener.iterationDone(net, base + i, 0);
        }
        long t0 = System.nanoTime();
        for (int i = calls; i < 2 * calls; i++) {
            listener.iterationDone(net, base + i, 0);
        }
        return (System.nanoTime() - t0) / 1e3 / calls;
    }

    /**
     * The order statistics that bracket the median with about 95% confidence, whatever the distribution: the
     * k-th smallest and k-th largest, k = n/2 − 0.98·√n (the binomial's normal approximation).
     */
    private static double quantileCi(double[] values, boolean upper) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        int k = Math.max(0, (int) Math.floor(n / 2.0 - 0.98 * Math.sqrt(n)));
        return upper ? sorted[n - 1 - k] : sorted[k];
    }

    /**
     * The CPU the agent's own threads (writer, sender, Kafka's producer) spend, measured without training: the
     * calling thread reports a metric {@code rate} times a second and a 9k-float checkpoint every 100 metrics,
     * and sleeps in between. This is the agent's claim on the cores the training job shares with it; the
     * JVM's idle background (measured first, for as long, with no agent) is subtracted.
     */
    private static void backgroundCpu(Path work, ExternalBroker broker, int rate, int seconds) {
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        long main = Thread.currentThread().getId();
        float[] params = new float[9015];
        // Warm-up: the agent's code compiled, as in a job that has run for a while. A flush every 2 ms runs the code
        // of a flush (Kafka's request path, the sender's loop) 500 times a second: at the default one flush a second
        // it would take the better part of an hour to be compiled, and the interpreter would be billed to the agent.
        emitFor(work, broker, rate, Integer.getInteger("bench.warmupSeconds", 40),
                Duration.ofMillis(Long.getLong("bench.warmupFlushMillis", 2)), params, threads, main);
        long idleBefore = otherThreadsCpu(threads, main);
        long idleStart = System.nanoTime();
        java.util.concurrent.locks.LockSupport.parkNanos(seconds * 1_000_000_000L);
        double idle = (otherThreadsCpu(threads, main) - idleBefore) / (double) (System.nanoTime() - idleStart);
        double[] busy = emitFor(work, broker, rate, seconds, AgentConfig.defaults().flushInterval(), params, threads, main);
        double agentShare = busy[0] - idle;
        System.out.printf(Locale.ROOT, "%-10s agent threads at %d metrics/s + a 9k-float checkpoint per 100: %.2f%% of "
                + "one core (%.1f µs CPU per event; the JVM idle: %.2f%%); the calling thread: %.2f µs CPU per "
                + "event%n", "background", rate, 100 * agentShare, agentShare * 1e6 / rate, 100 * idle, busy[1]);
    }

    /** @return the other threads' CPU share over the emission, and the calling thread's CPU µs per event */
    private static double[] emitFor(Path work, ExternalBroker broker, int rate, int seconds, Duration flush, float[] params,
                                    java.lang.management.ThreadMXBean threads, long main) {
        try (SpectroscopeAgent agent = SpectroscopeAgent.start(config(work,
                Boolean.getBoolean("bench.offline") ? null : broker.bootstrapServers()).withFlushInterval(flush))) {
            Run run = agent.startRun(RunSpec.named("background").trainingSetSize(317));
            long period = 1_000_000_000L / rate;
            boolean checkpoints = !Boolean.getBoolean("bench.noCheckpoint");
            long events = (long) rate * seconds;
            long othersBefore = otherThreadsCpu(threads, main);
            java.util.Map<Long, Long> perThread = new java.util.HashMap<>();
            for (long id : threads.getAllThreadIds()) {
                perThread.put(id, threads.getThreadCpuTime(id));
            }
            long mainCpu = 0;
            long start = System.nanoTime();
            for (long i = 0; i < events; i++) {
                long c0 = threads.getCurrentThreadCpuTime();
                run.metrics(i, 0.5);
                if (checkpoints && i % 100 == 0) {
                    run.checkpoint(i, params);
                }
                mainCpu += threads.getCurrentThreadCpuTime() - c0;
                long wake = start + (i + 1) * period;
                long now;
                while ((now = System.nanoTime()) < wake) {
                    java.util.concurrent.locks.LockSupport.parkNanos(wake - now);
                }
            }
            double share = (otherThreadsCpu(threads, main) - othersBefore) / (double) (System.nanoTime() - start);
            if (Boolean.getBoolean("bench.perThread")) {
                for (java.lang.management.ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
                    if (info != null) {
                        long cpu = threads.getThreadCpuTime(info.getThreadId()) - perThread.getOrDefault(info.getThreadId(), 0L);
                        System.out.printf(Locale.ROOT, "    %-50s %8.1f ms%n", info.getThreadName(), cpu / 1e6);
                    }
                }
            }
            run.finish(RunStatus.FINISHED);
            return new double[] {share, mainCpu / 1e3 / events};
        }
    }

    private static long otherThreadsCpu(java.lang.management.ThreadMXBean threads, long except) {
        long sum = 0;
        for (long id : threads.getAllThreadIds()) {
            if (id != except) {
                sum += Math.max(0, threads.getThreadCpuTime(id));
            }
        }
        return sum;
    }

    /** Nanoseconds for {@code steps} fits, with the listener attached or not. */
    private static long block(org.deeplearning4j.nn.multilayer.MultiLayerNetwork net, org.nd4j.linalg.dataset.DataSet data,
                              int steps, org.deeplearning4j.optimize.api.TrainingListener listener) {
        if (listener == null) {
            net.setListeners();
        } else {
            net.setListeners(listener);
        }
        long t0 = System.nanoTime();
        for (int i = 0; i < steps; i++) {
            net.fit(data);
        }
        return System.nanoTime() - t0;
    }

    private static void apiLatency(Path work) {
        int calls = 200_000;
        try (SpectroscopeAgent agent = SpectroscopeAgent.start(config(work, null))) {
            Run run = agent.startRun(RunSpec.named("latency").trainingSetSize(1));
            long[] plain = new long[calls];
            long[] withScalars = new long[calls];
            java.util.Map<String, Double> scalars = java.util.Map.of("accuracy", 0.5, "test_loss", 0.1);
            for (int i = 0; i < calls; i++) {
                long t0 = System.nanoTime();
                run.metrics(i, 0.5);
                long t1 = System.nanoTime();
                run.metrics(i, 0.5, scalars);
                long t2 = System.nanoTime();
                plain[i] = t1 - t0;
                withScalars[i] = t2 - t1;
                if (i % 5_000 == 0) {
                    // Let the writer keep up, as a training step would: the queue is not what is measured.
                    agent.flush(Duration.ofSeconds(10));
                }
            }
            float[] params = new float[10_000];
            long[] checkpoints = new long[500];
            for (int i = 0; i < checkpoints.length; i++) {
                long t0 = System.nanoTime();
                run.checkpoint(i, params);
                checkpoints[i] = System.nanoTime() - t0;
            }
            run.finish(RunStatus.FINISHED);
            System.out.println();
            System.out.println("API call latency (µs), " + calls + " calls each (the first 10% left out as warm-up)");
            System.out.printf("%-34s %8s %8s %8s %8s%n", "call", "p50", "p99", "p99.9", "max");
            row("metrics(step, loss)", plain);
            row("metrics(step, loss, 2 scalars)", withScalars);
            row("checkpoint(step, 10k floats)", checkpoints);
        }
    }

    private static void row(String name, long[] nanos) {
        long[] kept = Arrays.copyOfRange(nanos, nanos.length / 10, nanos.length);
        Arrays.sort(kept);
        System.out.printf(Locale.ROOT, "%-34s %8.2f %8.2f %8.2f %8.1f%n", name, kept[kept.length / 2] / 1e3,
                kept[(int) (kept.length * 0.99)] / 1e3, kept[(int) (kept.length * 0.999)] / 1e3,
                kept[kept.length - 1] / 1e3);
    }

    private static void outage(Path work, int seconds) throws IOException {
        System.out.println();
        System.out.println("A " + seconds + "-second Kafka outage (nothing listens at the bootstrap address): "
                + "1000 steps/s, metrics every step, a 2000-float checkpoint every 100");
        System.out.printf("%8s %14s %16s %14s%n", "second", "heap used MB", "journal MB", "backlog");
        try (SpectroscopeAgent agent = SpectroscopeAgent.start(config(work, "127.0.0.1:1")
                .withCloseTimeout(Duration.ZERO))) {
            Run run = agent.startRun(RunSpec.named("outage").trainingSetSize(1));
            float[] params = new float[2000];
            long start = System.nanoTime();
            long step = 0;
            long lastReport = -1;
            double maxHeap = 0;
            while (System.nanoTime() - start < seconds * 1_000_000_000L) {
                long target = (System.nanoTime() - start) / 1_000_000;
                while (step < target) {
                    run.metrics(step, 0.5);
                    if (step % 100 == 0) {
                        run.checkpoint(step, params);
                    }
                    step++;
                }
                long second = (System.nanoTime() - start) / 1_000_000_000L;
                if (second % 10 == 0 && second != lastReport) {
                    lastReport = second;
                    System.gc();
                    double heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() / 1e6;
                    if (second > 0) {
                        // At second 0 the heap still holds what the earlier parts of the bench left (it read 70 to
                        // 440 MB there and fell to 40-50 MB by second 10); the outage's own growth is what counts.
                        maxHeap = Math.max(maxHeap, heap);
                    }
                    System.out.printf(Locale.ROOT, "%8d %14.1f %16.1f %14d%n", second, heap,
                            directorySize(agent.journalDir()) / 1e6, agent.backlog());
                }
                try {
                    Thread.sleep(5);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            System.out.printf(Locale.ROOT, "max heap used after GC from second 10 on: %.1f MB for %d events held on disk%n", maxHeap,
                    agent.backlog());
            run.finish(RunStatus.FINISHED);
        }
    }

    /** Offline and online agents spill to different places: an online agent would send the offline journals. */
    private static AgentConfig config(Path work, String bootstrap) {
        return AgentConfig.defaults().withBootstrapServers(bootstrap)
                .withSpillDir(work.resolve(bootstrap == null ? "spill-offline" : "spill-online"))
                .withBlobDir(work.resolve("blobs"));
    }

    private static long directorySize(Path dir) {
        try (var files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        } catch (IOException e) {
            return -1;
        }
    }

    /** {@code bin/spectroscope broker} in a child process on a free port. */
    static final class ExternalBroker implements AutoCloseable {
        private final Process process;
        private final int port;

        private ExternalBroker(Process process, int port) {
            this.process = process;
            this.port = port;
        }

        static ExternalBroker start(Path dataDir) throws IOException, InterruptedException {
            int port;
            try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
                port = socket.getLocalPort();
            }
            Path log = dataDir.resolveSibling("broker.log");
            Process p = new ProcessBuilder("bin/spectroscope", "broker", "--port", Integer.toString(port),
                    "--data-dir", dataDir.toString()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (System.nanoTime() < deadline) {
                if (Files.exists(log) && Files.readString(log).contains("bootstrap.servers=")) {
                    return new ExternalBroker(p, port);
                }
                if (!p.isAlive()) {
                    break;
                }
                Thread.sleep(100);
            }
            p.destroyForcibly();
            throw new IllegalStateException("the broker did not start: " + (Files.exists(log) ? Files.readString(log) : ""));
        }

        String bootstrapServers() {
            return "127.0.0.1:" + port;
        }

        @Override
        public void close() throws InterruptedException {
            process.destroy();
            process.waitFor(15, java.util.concurrent.TimeUnit.SECONDS);
        }
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }
}
