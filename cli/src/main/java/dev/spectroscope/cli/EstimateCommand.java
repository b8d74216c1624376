package dev.spectroscope.cli;

import dev.spectroscope.blob.FileBlobStore;
import dev.spectroscope.estimate.ChainEstimates;
import dev.spectroscope.estimate.OfflineEstimate;
import dev.spectroscope.topics.TopicScan;
import dev.spectroscope.events.Checkpoint;
import dev.spectroscope.events.EventCodec;
import dev.spectroscope.events.RunStarted;
import dev.spectroscope.topics.TopicCatalogue;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code spectroscope estimate}: one checkpoint's LLC and DOS, offline, exactly as the pipeline computes them. */
@Command(name = "estimate", mixinStandardHelpOptions = true,
        description = "One checkpoint's LLC and DOS, offline, as the pipeline does.")
final class EstimateCommand implements Callable<Integer> {

    static final class Source {
        @Option(names = "--bootstrap-servers", required = true,
                description = "Read the run's RunStarted and Checkpoint from the topics of this Kafka.")
        String bootstrapServers;

        @Option(names = "--checkpoint", required = true,
                description = "A file holding one Checkpoint event (Avro single-object encoding).")
        Path checkpointFile;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    @Option(names = "--run-started", description = "With --checkpoint: a file holding the run's RunStarted event.")
    Path runStartedFile;

    @Option(names = "--run", description = "Run id (with --bootstrap-servers).")
    String runId;

    @Option(names = "--step", description = "Checkpoint step (with --bootstrap-servers).")
    Long step;

    @Option(names = "--blob-dir", defaultValue = "spectroscope-data/blobs",
            description = "Blob store root (default: ${DEFAULT-VALUE}).")
    Path blobDir;

    @Option(names = "--topic-prefix", defaultValue = "spectroscope.",
            description = "Prefix of the topic names (default: ${DEFAULT-VALUE}).")
    String topicPrefix;

    @Option(names = "--threads", defaultValue = "2", description = "Chains at once (default: ${DEFAULT-VALUE}).")
    int threads;

    @Override
    public Integer call() throws Exception {
        RunStarted run;
        Checkpoint checkpoint;
        if (source.bootstrapServers != null) {
            if (runId == null || step == null) {
                throw new IllegalArgumentException("--bootstrap-servers needs --run and --step");
            }
            TopicCatalogue topics = new TopicCatalogue(topicPrefix, TopicCatalogue.DEFAULT_PARTITIONS);
            run = find(source.bootstrapServers, topics.runs().name(), RunStarted.class, r -> r.getRunId().equals(runId))
                    .orElseThrow(() -> new IllegalArgumentException("no RunStarted for run " + runId + " in "
                            + topics.runs().name()));
            checkpoint = find(source.bootstrapServers, topics.checkpoints().name(), Checkpoint.class,
                    c -> c.getRunId().equals(runId) && c.getStep() == step)
                    .orElseThrow(() -> new IllegalArgumentException("no checkpoint of run " + runId + " at step " + step
                            + " in " + topics.checkpoints().name()));
        } else {
            if (runStartedFile == null) {
                throw new IllegalArgumentException("--checkpoint needs --run-started FILE (the run's RunStarted event)");
            }
            checkpoint = EventCodec.of(Checkpoint.class).decode(source.checkpointFile.toString(),
                    Files.readAllBytes(source.checkpointFile));
            run = EventCodec.of(RunStarted.class).decode(runStartedFile.toString(), Files.readAllBytes(runStartedFile));
        }
        ChainEstimates.Estimates estimates = OfflineEstimate.of(run, checkpoint, new FileBlobStore(blobDir), threads);
        System.out.println(estimates.llc());
        estimates.dos().ifPresent(System.out::println);
        return 0;
    }

    private static <T extends org.apache.avro.specific.SpecificRecord> Optional<T> find(
            String bootstrap, String topic, Class<T> type, java.util.function.Predicate<T> match) {
        EventCodec<org.apache.avro.specific.SpecificRecord> codec = EventCodec.anyOf(type);
        return TopicScan.readAll(bootstrap, Map.of(), topic, Duration.ofSeconds(60)).stream()
                .map(r -> {
                    try {
                        return codec.decode(topic, r.value());
                    } catch (RuntimeException e) {
                        return null;
                    }
                })
                .filter(type::isInstance).map(type::cast).filter(match).findFirst();
    }
}
