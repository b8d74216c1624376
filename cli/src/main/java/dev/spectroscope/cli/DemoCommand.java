package dev.spectroscope.cli;

import ch.qos.logback.classic.Level;
import dev.spectroscope.agent.AgentConfig;
import dev.spectroscope.agent.SpectroscopeAgent;
import dev.spectroscope.broker.BrokerSettings;
import dev.spectroscope.broker.EmbeddedKafkaBroker;
import dev.spectroscope.dashboard.RunBoard;
import dev.spectroscope.examples.ModAddExample;
import dev.spectroscope.examples.TmsExample;
import dev.spectroscope.examples.TrainResult;
import dev.spectroscope.examples.TrainSettings;
import dev.spectroscope.probe.ProbeWorker;
import dev.spectroscope.probe.ProbeWorkerSettings;
import dev.spectroscope.process.ProcessorApp;
import dev.spectroscope.process.ProcessorSettings;
import dev.spectroscope.sink.SinksApp;
import dev.spectroscope.sink.SinksSettings;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Map;
import java.util.NavigableMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code spectroscope demo}: the whole pipeline in one process — the embedded broker, the processor, the probe
 * worker, the sinks (archive and dashboard) and a real training job with the agent — printing one line per
 * checkpoint and each alert as it fires, then the transitions found.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Everything in one process: a real run, live.")
final class DemoCommand implements Callable<Integer> {

    enum Model { tms, modadd }

    @Option(names = "--model", defaultValue = "tms", description = "tms or modadd (default: ${DEFAULT-VALUE}).")
    Model model;

    @Option(names = "--steps", defaultValue = "3000", description = "Training steps (default: ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of data, init and sampler (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--port", defaultValue = "7070", description = "Dashboard port (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--kafka-port", defaultValue = "9092", description = "Broker port (default: ${DEFAULT-VALUE}).")
    int kafkaPort;

    @Option(names = "--checkpoint-every", defaultValue = "100",
            description = "Checkpoint and probe every K steps (default: ${DEFAULT-VALUE}).")
    int checkpointEvery;

    @Option(names = "--data-dir", defaultValue = "spectroscope-data",
            description = "Broker data, state, blobs, archive (default: ${DEFAULT-VALUE}).")
    Path dataDir;

    @Option(names = "--out", description = "Write DIR/summary.json and keep the run's archive in DIR/archive.")
    Path out;

    @Option(names = "--headless", description = "Exit when the run's last estimate is in, not at Ctrl-C.")
    boolean headless;

    /** Longest wait for any progress (a step trained, a checkpoint estimated) before the demo gives up. */
    private static final Duration STALL = Duration.ofSeconds(120);

    @Override
    public Integer call() throws Exception {
        if (steps < 1 || checkpointEvery < 1) {
            throw new IllegalArgumentException("--steps and --checkpoint-every must be positive");
        }
        quietLogs();
        long started = System.nanoTime();
        PrintStream stdout = System.out;
        DemoConsole console = new DemoConsole(stdout, System.console() != null);
        Path archive = out == null ? dataDir.resolve("archive") : out.resolve("archive");
        String runId = model + "-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));

        EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(BrokerSettings.defaults().withPort(kafkaPort)
                .withDataDir(dataDir.resolve("kafka")));
        Lifecycle.closeOnShutdown("broker", broker);
        String bootstrap = broker.bootstrapServers();
        SinksApp sinks = SinksApp.start(SinksSettings.defaults(bootstrap).withHttpPort(port)
                .withSinks(false, true, true, true).withDirs(dataDir.resolve("sinks"), archive)
                .withGroupPrefix("spectroscope-demo-sinks"), stdout);
        Lifecycle.closeOnShutdown("sinks", sinks);
        console.line("Dashboard: http://localhost:" + sinks.httpPort() + "/#run=" + runId);
        console.line("Kafka: " + bootstrap + " · data: " + dataDir + " · archive: " + archive);

        ProcessorApp processor = ProcessorApp.start(ProcessorSettings.defaults(bootstrap)
                .withStateDir(dataDir.resolve("streams")).withHttpPort(-1).withChainWait(Duration.ofSeconds(30))
                .withApplicationId("spectroscope-demo"));
        Lifecycle.closeOnShutdown("processor", processor);
        ProbeWorker worker = ProbeWorker.start(new ProbeWorkerSettings(bootstrap, "spectroscope-demo-probe",
                "spectroscope.", 1, dataDir.resolve("blobs"), Duration.ofSeconds(10), Map.of()));
        Lifecycle.closeOnShutdown("probe worker", worker);

        int checkpoints = model == Model.tms ? steps / checkpointEvery : 0;
        AtomicLong trainedStep = new AtomicLong(-1);
        AtomicInteger estimated = new AtomicInteger();
        AtomicLong lastProgress = new AtomicLong(System.nanoTime());
        NavigableMap<Long, Double> losses = new ConcurrentSkipListMap<>();
        sinks.board().addListener(update -> {
            if (!update.runId().equals(runId)) {
                return;
            }
            lastProgress.set(System.nanoTime());
            Map<String, Object> d = update.data();
            switch (update.kind()) {
                case "point" -> {
                    trainedStep.accumulateAndGet(((Number) d.get("latestStep")).longValue(), Math::max);
                    double[] p = (double[]) d.get("point");
                    if ("loss".equals(d.get("series"))) {
                        losses.put((long) p[0], p[1]);
                    } else if ("llc".equals(d.get("series"))) {
                        estimated.incrementAndGet();
                        Map.Entry<Long, Double> loss = losses.floorEntry((long) p[0]);
                        console.line(String.format(Locale.ROOT, "step %6d   loss %.4f   λ̂ %6.2f ± %.2f", (long) p[0],
                                loss == null ? Double.NaN : loss.getValue(), p[1], p[2]));
                    }
                }
                case "alert" -> console.line(String.format(Locale.ROOT, "ALERT %-8s %s",
                        Boolean.TRUE.equals(d.get("resolved")) ? "resolved" : d.get("severity"), d.get("title")));
                default -> {
                }
            }
        });

        SpectroscopeAgent agent = SpectroscopeAgent.start(AgentConfig.defaults().withBootstrapServers(bootstrap)
                .withSpillDir(dataDir.resolve("spill")).withBlobDir(dataDir.resolve("blobs")));
        Lifecycle.closeOnShutdown("agent", agent);
        console.line("Training " + model + " for " + steps + " steps (seed " + seed + "), probing every "
                + checkpointEvery + " steps" + (model == Model.tms ? "" : " in the job (the probe worker cannot rebuild "
                + model + "; a probe still sampling when the next is due makes that one skip)"));
        AtomicReference<TrainResult> result = new AtomicReference<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread training = new Thread(() -> {
            try {
                // The probe worker cannot rebuild modadd's network: that run samples in the job instead.
                TrainSettings settings = new TrainSettings(steps, seed, runId, 10, checkpointEvery,
                        model == Model.tms ? 0 : checkpointEvery);
                result.set(model == Model.tms ? TmsExample.train(agent, settings) : ModAddExample.train(agent, settings));
                agent.close();
            } catch (Throwable t) {
                failure.set(t);
            }
        }, "demo-training");
        training.setDaemon(true);
        training.start();
        // Closed first on Ctrl-C: the job ends its run as KILLED and the agent sends that before anything stops.
        Lifecycle.closeOnShutdown("training", () -> {
            training.interrupt();
            training.join(3000);
        });

        while (training.isAlive() || estimated.get() < checkpoints) {
            console.progress(trainedStep.get(), steps, estimated.get(), checkpoints);
            if (failure.get() != null) {
                console.endStatus();
                throw new IllegalStateException("training failed: " + failure.get(), failure.get());
            }
            if (System.nanoTime() - lastProgress.get() > STALL.toNanos() && !training.isAlive()) {
                console.endStatus();
                System.err.println("demo: no estimate for " + STALL.toSeconds() + " s (" + estimated.get() + " of "
                        + checkpoints + " checkpoints estimated); see the dead-letter topic spectroscope.dlq");
                return 1;
            }
            Thread.sleep(250);
        }
        console.progress(steps - 1, steps, estimated.get(), checkpoints);
        console.endStatus();
        if (failure.get() != null) {
            throw new IllegalStateException("training failed: " + failure.get(), failure.get());
        }
        // Moves still open at the run's end are reported a moment after it (RunMonitor's grace).
        Thread.sleep(3500);

        Map<String, Object> run = sinks.board().detail(runId);
        double seconds = (System.nanoTime() - started) / 1e9;
        console.line(String.format(Locale.ROOT, "Run %s: %d steps, final loss %.4f, in %.0f s.", runId, steps,
                result.get().finalLoss(), seconds));
        var lines = DemoSummary.transitionLines(run);
        console.line(lines.isEmpty() ? "No phase transition detected." : lines.size() + " phase transition"
                + (lines.size() == 1 ? "" : "s") + ":");
        lines.forEach(console::line);
        if (out != null) {
            Path file = out.resolve("summary.json");
            DemoSummary.write(DemoSummary.of(run, model.name(), steps, seed, seconds, archive), file);
            console.line("Summary: " + file);
        }
        console.line("Archive: bin/spectroscope inspect --archive " + archive + " --run " + runId + " --json");
        if (headless) {
            return 0;
        }
        console.line("The dashboard stays up at http://localhost:" + sinks.httpPort() + "/. Press Ctrl-C to stop.");
        Lifecycle.awaitShutdown();
        return 0;
    }

    /** The demo's own lines are the output; the services' start-up logs would drown them. */
    private static void quietLogs() {
        if (System.getenv("SPECTROSCOPE_LOG_LEVEL") == null) {
            ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger("dev.spectroscope")).setLevel(Level.WARN);
            // The demo prints every alert itself.
            ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger("dev.spectroscope.transition")).setLevel(Level.ERROR);
        }
    }
}
