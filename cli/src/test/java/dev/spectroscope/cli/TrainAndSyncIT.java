package dev.spectroscope.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spectroscope.broker.EmbeddedKafkaExtension;
import dev.spectroscope.events.TrainingMetrics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** No broker at all: {@code train} completes and spills; {@code agent sync} later delivers every event once. */
class TrainAndSyncIT {

    @RegisterExtension
    static final EmbeddedKafkaExtension KAFKA = new EmbeddedKafkaExtension();

    @TempDir
    Path work;

    @Test
    void anOfflineTrainingRunIsDeliveredBySyncExactlyOnce() throws Exception {
        Path spill = work.resolve("spill");
        String out = launch("train", "tms", "--steps", "600", "--run-id", "offline-tms", "--spill-dir", spill.toString(),
                "--blob-dir", work.resolve("blobs").toString());
        assertTrue(out.contains("Run offline-tms: 600 steps"), out);
        try (Stream<Path> dirs = Files.list(spill)) {
            assertEquals(1, dirs.count(), "one journal kept for later");
        }
        String sync = launch("agent", "sync", "--spill-dir", spill.toString(), "--bootstrap-servers",
                KAFKA.bootstrapServers());
        // 600 metrics, 6 checkpoints, 36 concept probes, RunStarted and RunEnded.
        assertTrue(sync.contains("Sent 644 events from 1 journal(s); 0 still incomplete"), sync);
        String again = launch("agent", "sync", "--spill-dir", spill.toString(), "--bootstrap-servers",
                KAFKA.bootstrapServers());
        assertTrue(again.contains("Sent 0 events"), again);

        List<Long> steps = new ArrayList<>();
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "it-" + UUID.randomUUID());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(KAFKA.catalogue().metrics().name()));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (steps.size() < 600 && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    TrainingMetrics m = KAFKA.catalogue().metrics().valueSerde().deserializer()
                            .deserialize(r.topic(), r.value());
                    steps.add(m.getStep());
                }
            }
            consumer.poll(Duration.ofSeconds(1)).forEach(r -> steps.add(-1L));
        }
        assertEquals(600, steps.size(), "exactly once");
        for (int i = 0; i < steps.size(); i++) {
            assertEquals(i, steps.get(i));
        }
    }

    private String launch(String... args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of("..", "bin", "spectroscope").toAbsolutePath().normalize().toString());
        command.addAll(List.of(args));
        Path log = work.resolve("out-" + UUID.randomUUID() + ".log");
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        assertTrue(p.waitFor(180, TimeUnit.SECONDS), "timed out: " + command);
        String out = Files.readString(log, StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), out);
        return out;
    }
}
