package dev.spectroscope.cli;

import dev.spectroscope.archive.RunArchive;
import dev.spectroscope.broker.TopicCreator;
import dev.spectroscope.replay.ReplaySpeed;
import dev.spectroscope.replay.RunReplayer;
import dev.spectroscope.topics.Topic;
import dev.spectroscope.topics.TopicCatalogue;
import dev.spectroscope.topics.TopicScan;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.avro.specific.SpecificRecord;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code spectroscope replay}: a recorded run back into the pipeline, as itself or as a new run. */
@Command(name = "replay", mixinStandardHelpOptions = true,
        description = "Re-publishes a recorded run, e.g. with new settings.")
final class ReplayCommand implements Callable<Integer> {

    @Option(names = "--bootstrap-servers", required = true, description = "Kafka, host:port[,host:port].")
    String bootstrapServers;

    @Option(names = "--run", required = true, description = "The recorded run's id.")
    String runId;

    @Option(names = "--archive", description = "Archive directory to read the run from "
            + "(default: ${DEFAULT-VALUE}).", defaultValue = "spectroscope-data/archive")
    Path archive;

    @Option(names = "--from-topics", description = "Read the run from the topics instead of the archive.")
    boolean fromTopics;

    @Option(names = "--as", description = "Publish under this run id (default: the run's own id, which the "
            + "pipeline treats as duplicates).")
    String asRunId;

    @Option(names = "--speed", defaultValue = "max", description = "max, 1x (recorded pace), 10x, ... "
            + "(default: ${DEFAULT-VALUE}).")
    String speed;

    @Option(names = "--tag", description = "Override a run tag, e.g. --tag detector.threshold=4 (repeatable).")
    Map<String, String> tags = new LinkedHashMap<>();

    @Option(names = "--topic-prefix", defaultValue = "spectroscope.", description = "Topic prefix "
            + "(default: ${DEFAULT-VALUE}).")
    String topicPrefix;

    @picocli.CommandLine.Mixin
    KafkaClientOptions kafkaClient = new KafkaClientOptions();

    @Override
    public Integer call() throws Exception {
        ReplaySpeed pace = ReplaySpeed.parse(speed);
        TopicCatalogue topics = new TopicCatalogue(topicPrefix, TopicCatalogue.DEFAULT_PARTITIONS);
        Map<String, String> kafka = kafkaClient.properties();
        List<SpecificRecord> recorded = fromTopics ? fromTopics(topics, kafka) : new RunArchive(archive).events(runId);
        RunReplayer.Plan plan = new RunReplayer.Plan(runId, asRunId == null ? runId : asRunId, pace, tags);
        TopicCreator.ensure(bootstrapServers, topics, kafka);
        RunReplayer.Result result = RunReplayer.publish(bootstrapServers, kafka, topics, recorded, plan,
                System.out::println);
        System.out.printf("Replayed run %s as %s: %d events %s in %.1f s at speed %s%n", runId, result.runId(),
                result.events(), result.byType(), result.millis() / 1000.0, pace);
        return 0;
    }

    private List<SpecificRecord> fromTopics(TopicCatalogue topics, Map<String, String> kafka) {
        List<SpecificRecord> out = new ArrayList<>();
        for (Topic<?> t : List.of(topics.runs(), topics.metrics(), topics.checkpoints(), topics.probes(),
                topics.chains())) {
            out.addAll(TopicScan.readEvents(bootstrapServers, kafka, t.name(), Duration.ofMinutes(5)));
        }
        return out;
    }
}
