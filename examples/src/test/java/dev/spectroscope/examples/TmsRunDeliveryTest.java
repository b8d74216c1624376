package dev.spectroscope.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spectroscope.agent.AgentConfig;
import dev.spectroscope.agent.SpectroscopeAgent;
import dev.spectroscope.broker.EmbeddedKafkaExtension;
import dev.spectroscope.events.Checkpoint;
import dev.spectroscope.events.ConceptProbe;
import dev.spectroscope.events.RunEnded;
import dev.spectroscope.events.RunStarted;
import dev.spectroscope.events.TrainingMetrics;
import dev.spectroscope.topics.Topic;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real TMS training run (SameDiff) of 3000 steps, logging every step and checkpointing every 100, against
 * the embedded broker: RunStarted, 3000 TrainingMetrics, 30 Checkpoints and RunEnded, each once and in order.
 */
class TmsRunDeliveryTest {

    @RegisterExtension
    static final EmbeddedKafkaExtension KAFKA = new EmbeddedKafkaExtension();

    @TempDir
    Path work;

    @Test
    void aTmsRunArrivesWholeOnceAndInOrder() {
        AgentConfig config = AgentConfig.defaults().withBootstrapServers(KAFKA.bootstrapServers())
                .withSpillDir(work.resolve("spill")).withBlobDir(work.resolve("blobs"));
        TrainResult result;
        try (SpectroscopeAgent agent = SpectroscopeAgent.start(config)) {
            result = TmsExample.train(agent, new TrainSettings(3000, 1, "tms-test", 1, 100));
            assertTrue(agent.flush(Duration.ofSeconds(60)));
        }
        assertTrue(result.finalLoss() < 0.2, "TMS should leave its plateau within 3000 steps: " + result.finalLoss());
        Map<String, List<SpecificRecord>> events = readRun("tms-test", 3000 + 30 + 30 * 6 + 2);
        List<SpecificRecord> runs = events.get("spectroscope.runs");
        assertEquals(2, runs.size());
        assertTrue(runs.get(0) instanceof RunStarted);
        assertTrue(runs.get(1) instanceof RunEnded);
        List<SpecificRecord> metrics = events.get("spectroscope.metrics");
        assertEquals(3000, metrics.size());
        for (int i = 0; i < metrics.size(); i++) {
            assertEquals(i, ((TrainingMetrics) metrics.get(i)).getStep());
        }
        List<SpecificRecord> checkpoints = events.get("spectroscope.checkpoints");
        assertEquals(30, checkpoints.size());
        long previous = -1;
        for (SpecificRecord r : checkpoints) {
            Checkpoint c = (Checkpoint) r;
            assertTrue(c.getStep() > previous);
            previous = c.getStep();
            assertEquals(18, c.getParameterCount());
            assertEquals(18 * 4, c.getInlineParameters().remaining());
        }
        // The weights in the last checkpoint say how many features the model represents.
        Checkpoint last = (Checkpoint) checkpoints.get(29);
        float[] params = new float[18];
        last.getInlineParameters().duplicate().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(params);
        assertTrue(TmsExample.representedFeatures(params) >= 3, "k = " + TmsExample.representedFeatures(params));
        long probes = events.get("spectroscope.probes").stream().filter(e -> e instanceof ConceptProbe).count();
        assertEquals(180, probes);
        Set<String> ids = new HashSet<>();
        events.values().forEach(list -> list.forEach(e -> ids.add(e.get(0).toString())));
        assertEquals(3000 + 30 + 180 + 2, ids.size(), "every eventId is unique");
    }

    private Map<String, List<SpecificRecord>> readRun(String runId, int expected) {
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "tms-" + UUID.randomUUID());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        Map<String, List<SpecificRecord>> byTopic = new HashMap<>();
        int count = 0;
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            List<String> names = new ArrayList<>();
            KAFKA.catalogue().all().forEach(t -> names.add(t.name()));
            consumer.subscribe(names);
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            long quiet = System.nanoTime();
            while (System.nanoTime() < deadline && !(count >= expected && System.nanoTime() - quiet > 1_500_000_000L)) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (!runId.equals(r.key())) {
                        continue;
                    }
                    Topic<?> topic = KAFKA.catalogue().byName(r.topic()).orElseThrow();
                    byTopic.computeIfAbsent(r.topic(), k -> new ArrayList<>())
                            .add((SpecificRecord) topic.valueSerde().deserializer().deserialize(r.topic(), r.value()));
                    count++;
                    quiet = System.nanoTime();
                }
            }
        }
        return byTopic;
    }
}
