package dev.spectroscope.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spectroscope.blob.BlobException;
import dev.spectroscope.broker.EmbeddedKafkaExtension;
import dev.spectroscope.events.Checkpoint;
import dev.spectroscope.events.RunEnded;
import dev.spectroscope.events.RunStarted;
import dev.spectroscope.events.RunStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

class AgentDeliveryTest {

    @RegisterExtension
    static final EmbeddedKafkaExtension KAFKA = new EmbeddedKafkaExtension();

    @TempDir
    Path work;

    private AgentConfig config() {
        return AgentConfig.defaults().withBootstrapServers(KAFKA.bootstrapServers()).withSpillDir(work.resolve("spill"))
                .withBlobDir(work.resolve("blobs")).withInlineThresholdBytes(4096);
    }

    /** A job cancelled by interrupting its thread: close still ends the run and delivers it, and never throws. */
    @Test
    void closingFromAnInterruptedThreadStillDeliversTheRun() {
        SpectroscopeAgent agent = SpectroscopeAgent.start(config());
        Run run = agent.startRun(RunSpec.named("cancelled").trainingSetSize(1000));
        for (int step = 0; step < 50; step++) {
            run.metrics(step, 1.0 / (1 + step));
        }
        Thread.currentThread().interrupt();
        try {
            agent.close();
            assertTrue(Thread.currentThread().isInterrupted(), "the caller's interrupt is kept for it to act on");
        } finally {
            Thread.interrupted();
        }
        assertEquals(52, agent.stats().sentCount(), "RunStarted, 50 metrics and RunEnded sent before close returned");
        Map<String, List<SpecificRecord>> events = RunEvents.read(KAFKA.bootstrapServers(), KAFKA.catalogue(), run.id(),
                52);
        RunEnded ended = (RunEnded) events.get("spectroscope.runs").get(1);
        assertEquals(RunStatus.KILLED, ended.getStatus());
        assertOnceAndInOrder(events.get("spectroscope.metrics"), 50);
    }

    /**
     * Kafka Streams orders a run's events across topics by record timestamp, and a flush sends a second's events
     * in one millisecond: the records must carry the events' own times, RunStarted strictly first and RunEnded
     * strictly last, even when the whole run happens within a millisecond or two.
     */
    @Test
    void recordTimestampsOrderTheRunAcrossTopics() {
        String runId;
        try (SpectroscopeAgent agent = SpectroscopeAgent.start(config())) {
            Run run = agent.startRun(RunSpec.named("stamps").trainingSetSize(10));
            runId = run.id();
            for (int step = 0; step < 5; step++) {
                run.metrics(step, 1.0);
                run.checkpoint(step, new float[4]);
                run.concept(step, "probe", 0.5);
            }
            run.finish(RunStatus.FINISHED);
            assertTrue(agent.flush(Duration.ofSeconds(60)));
        }
        Map<String, Object> props = new java.util.HashMap<>();
        props.put(org.apache.kafka.clients.consumer.ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers());
        props.put(org.apache.kafka.clients.consumer.ConsumerConfig.GROUP_ID_CONFIG, "stamps-" + runId);
        props.put(org.apache.kafka.clients.consumer.ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        long started = -1;
        long ended = -1;
        List<Long> others = new ArrayList<>();
        try (org.apache.kafka.clients.consumer.KafkaConsumer<String, byte[]> consumer =
                     new org.apache.kafka.clients.consumer.KafkaConsumer<>(props,
                             new org.apache.kafka.common.serialization.StringDeserializer(),
                             new org.apache.kafka.common.serialization.ByteArrayDeserializer())) {
            consumer.subscribe(KAFKA.catalogue().all().stream().map(t -> t.name()).toList());
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (others.size() < 15 || ended < 0) {
                assertTrue(System.nanoTime() < deadline, "the run's 17 records did not arrive in 30 s");
                for (org.apache.kafka.clients.consumer.ConsumerRecord<String, byte[]> r
                        : consumer.poll(Duration.ofMillis(200))) {
                    if (!runId.equals(r.key())) {
                        continue;
                    }
                    SpecificRecord event = (SpecificRecord) KAFKA.catalogue().byName(r.topic()).orElseThrow()
                            .valueSerde().deserializer().deserialize(r.topic(), r.value());
                    assertEquals(SpectroscopeAgent.timestampOf(event), r.timestamp(),
                            "the record carries the event's own time: " + event.getClass().getSimpleName());
                    if (event instanceof RunStarted) {
                        started = r.timestamp();
                    } else if (event instanceof RunEnded) {
                        ended = r.timestamp();
                    } else {
                        others.add(r.timestamp());
                    }
                }
            }
        }
        for (long t : others) {
            assertTrue(started < t && t < ended, "RunStarted at " + started + " and RunEnded at " + ended
                    + " must bracket every other event of the run, one was at " + t);
        }
    }

    /** A run of 3000 steps, a checkpoint every 100: every event once, in step order, boundaries around them. */
    @Test
    void everyEventArrivesOnceAndInOrder() {
        String runId;
        try (SpectroscopeAgent agent = SpectroscopeAgent.start(config())) {
            Run run = agent.startRun(RunSpec.named("delivery").trainingSetSize(1000));
            runId = run.id();
            for (int step = 0; step < 3000; step++) {
                run.metrics(step, 1.0 / (1 + step));
                if (step % 100 == 99) {
                    // Small and large checkpoints: inline below the 4 KiB threshold, by reference above it.
                    run.checkpoint(step, new float[step < 1500 ? 100 : 5000]);
                }
            }
            run.finish(RunStatus.FINISHED);
            assertTrue(agent.flush(Duration.ofSeconds(60)), "not all events acknowledged in 60 s");
            assertEquals(3032, agent.stats().sentCount());
        }
        Map<String, List<SpecificRecord>> events = RunEvents.read(KAFKA.bootstrapServers(), KAFKA.catalogue(), runId,
                3032);
        List<SpecificRecord> runs = events.get("spectroscope.runs");
        assertEquals(2, runs.size());
        assertTrue(runs.get(0) instanceof RunStarted);
        RunEnded ended = (RunEnded) runs.get(1);
        assertEquals(RunStatus.FINISHED, ended.getStatus());
        assertEquals(2999, ended.getLastStep());
        assertOnceAndInOrder(events.get("spectroscope.metrics"), 3000);
        List<SpecificRecord> checkpoints = events.get("spectroscope.checkpoints");
        assertOnceAndInOrder(checkpoints, 30);
        Checkpoint small = (Checkpoint) checkpoints.get(0);
        Checkpoint large = (Checkpoint) checkpoints.get(29);
        assertNotNull(small.getInlineParameters());
        assertNull(small.getBlob());
        assertNull(large.getInlineParameters());
        assertEquals(20_000, large.getBlob().getSizeBytes());
        Set<String> ids = new HashSet<>();
        events.values().forEach(list -> list.forEach(e -> ids.add((String) ((org.apache.avro.generic.GenericRecord) e).get("eventId"))));
        assertEquals(3032, ids.size(), "eventIds are unique");
    }

    @Test
    void aLargeCheckpointLandsInTheBlobStoreAndACorruptedOneIsNamed() throws Exception {
        try (SpectroscopeAgent agent = SpectroscopeAgent.start(config())) {
            float[] params = new float[10_000];
            for (int i = 0; i < params.length; i++) {
                params[i] = i * 0.5f;
            }
            var ref = agent.blobs().put("run-x", 700, "params", toBytes(params));
            byte[] back = agent.blobs().get(ref, "run-x", 700);
            assertEquals(40_000, back.length);
            Path file = Path.of(java.net.URI.create(ref.getUri()));
            byte[] bytes = Files.readAllBytes(file);
            bytes[17] ^= 1;
            Files.write(file, bytes);
            BlobException corrupted = assertThrows(BlobException.class, () -> agent.blobs().get(ref, "run-x", 700));
            assertTrue(corrupted.getMessage().contains("run run-x, step 700"), corrupted.getMessage());
            assertTrue(corrupted.getMessage().contains("corrupted"), corrupted.getMessage());
            Files.delete(file);
            BlobException missing = assertThrows(BlobException.class, () -> agent.blobs().get(ref, "run-x", 700));
            assertTrue(missing.getMessage().contains("missing") && missing.getMessage().contains(ref.getUri()),
                    missing.getMessage());
        }
    }

    @Test
    void aBadSettingFailsAtConstructionNamingTheKey() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> config().withInlineThresholdBytes(-1));
        assertTrue(e.getMessage().contains("checkpoint.inline.max.bytes"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> config().withBootstrapServers(" "));
        assertTrue(e.getMessage().contains("bootstrap.servers"), e.getMessage());
    }

    @Test
    void nothingThrowsIntoTheCaller() {
        try (SpectroscopeAgent agent = SpectroscopeAgent.start(config())) {
            Run run = agent.startRun(RunSpec.named("careless").trainingSetSize(10));
            run.metrics(1, Double.NaN, null);
            run.checkpoint(2, null);
            run.concept(3, null, 1.0);
            run.finish(RunStatus.FINISHED);
            run.finish(RunStatus.FAILED);
            run.metrics(4, 1.0);
            assertTrue(agent.flush(Duration.ofSeconds(30)));
            assertTrue(agent.stats().errorCounts().containsKey("checkpoint"), agent.stats().errorCounts().toString());
        }
    }

    static void assertOnceAndInOrder(List<SpecificRecord> events, int expected) {
        assertNotNull(events);
        assertEquals(expected, events.size());
        long previous = -1;
        List<Long> steps = new ArrayList<>();
        for (SpecificRecord e : events) {
            long step = (Long) ((org.apache.avro.generic.GenericRecord) e).get("step");
            steps.add(step);
            assertTrue(step > previous, "step " + step + " after " + previous);
            previous = step;
        }
    }

    static byte[] toBytes(float[] values) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(values.length * 4);
        b.asFloatBuffer().put(values);
        return b.array();
    }
}
