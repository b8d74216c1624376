package dev.spectroscope.cli;

import dev.spectroscope.agent.AgentConfig;
import dev.spectroscope.agent.SpectroscopeAgent;
import dev.spectroscope.examples.DlnExample;
import dev.spectroscope.examples.ModAddExample;
import dev.spectroscope.examples.TmsExample;
import dev.spectroscope.examples.TrainResult;
import dev.spectroscope.examples.TrainSettings;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code spectroscope train}: a real training job with the agent in it. */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Train an example model (tms, dln, modadd) with the agent.")
final class TrainCommand implements Callable<Integer> {

    enum Model { tms, dln, modadd }

    @Parameters(index = "0", description = "Model: ${COMPLETION-CANDIDATES}.")
    Model model;

    @Option(names = "--steps", defaultValue = "3000", description = "Optimizer steps (default: ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--seed", defaultValue = "1", description = "Seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--run-id", description = "Run id (default: generated).")
    String runId;

    @Option(names = "--bootstrap-servers", description = "Kafka to stream to; without it the run trains and spills.")
    String bootstrapServers;

    @Option(names = "--log-every", defaultValue = "1", description = "Metrics every k steps (default: ${DEFAULT-VALUE}).")
    int logEvery;

    @Option(names = "--checkpoint-every", defaultValue = "100",
            description = "Checkpoint and concept probes every K steps, 0 for never (default: ${DEFAULT-VALUE}).")
    int checkpointEvery;

    @Option(names = "--probe-every", defaultValue = "0",
            description = "Sample SGLD chains in the job every K steps (tms, modadd), 0 for never "
                    + "(default: ${DEFAULT-VALUE}).")
    int probeEvery;

    @Option(names = "--spill-dir", defaultValue = "spectroscope-data/spill",
            description = "Write-ahead journal directory (default: ${DEFAULT-VALUE}).")
    Path spillDir;

    @Option(names = "--blob-dir", defaultValue = "spectroscope-data/blobs",
            description = "Blob store for large checkpoints (default: ${DEFAULT-VALUE}).")
    Path blobDir;

    @picocli.CommandLine.Mixin
    KafkaClientOptions kafkaClient = new KafkaClientOptions();

    @Override
    public Integer call() {
        TrainSettings settings = new TrainSettings(steps, seed, runId, logEvery, checkpointEvery, probeEvery);
        AgentConfig config = AgentConfig.defaults().withBootstrapServers(bootstrapServers).withSpillDir(spillDir)
                .withProducerProperties(kafkaClient.properties())
                .withBlobDir(blobDir);
        TrainResult result;
        try (SpectroscopeAgent agent = SpectroscopeAgent.start(config)) {
            result = switch (model) {
                case tms -> TmsExample.train(agent, settings);
                case dln -> DlnExample.train(agent, settings);
                case modadd -> ModAddExample.train(agent, settings);
            };
            System.out.printf(Locale.ROOT, "Run %s: %d steps in %.1f s, final loss %.4f%n", result.runId(),
                    result.steps(), result.seconds(), result.finalLoss());
            System.out.printf(Locale.ROOT, "Agent: %d events accepted, %d sent, dropped %s, errors %s%n",
                    agent.stats().acceptedCount(), agent.stats().sentCount(), agent.stats().droppedCounts(),
                    agent.stats().errorCounts());
        }
        return 0;
    }
}
