package dev.spectroscope.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spectroscope.broker.EmbeddedKafkaExtension;
import dev.spectroscope.topics.TopicScan;
import dev.spectroscope.events.Alert;
import dev.spectroscope.events.ConceptProbe;
import dev.spectroscope.events.EventCodec;
import dev.spectroscope.events.EventTypes;
import dev.spectroscope.events.LlcEstimate;
import dev.spectroscope.events.PhaseTransition;
import dev.spectroscope.events.RunStarted;
import dev.spectroscope.events.SamplerConfig;
import dev.spectroscope.events.SgldChain;
import dev.spectroscope.events.TrainingMetrics;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kill -9} of {@code spectroscope process} in the middle of a run, then a restart on the same state
 * directory: every checkpoint's estimate and every alert arrives exactly once (counted by key).
 */
class ProcessorCrashIT {

    @RegisterExtension
    static final EmbeddedKafkaExtension KAFKA = new EmbeddedKafkaExtension();
    @SuppressWarnings("unchecked")
    private static final EventCodec<SpecificRecord> EVENTS = EventCodec.anyOf(EventTypes.all().toArray(Class[]::new));
    private static final String RUN = "crash-run";
    private static final int STEPS = 40;

    @TempDir
    Path work;
    /** Every processor this test started: none may outlive it (an orphan would join the next run's group). */
    private final List<Process> processors = new ArrayList<>();
    /** The test's own sends: a record the broker refused must fail the test as such, not as a missing estimate. */
    private static final List<java.util.concurrent.Future<org.apache.kafka.clients.producer.RecordMetadata>> SENT =
            new ArrayList<>();

    @Test
    void aKilledProcessorRestartsWithNothingMissingOrDuplicated() throws Exception {
        try {
            killAndRestart();
        } catch (AssertionError e) {
            // Were the chains on the topic? Complete there but missing estimates: the processor; else the producer.
            Map<Long, Integer> chains = new java.util.TreeMap<>();
            for (SpecificRecord r : read("spectroscope.chains")) {
                chains.merge(((SgldChain) r).getStep(), 1, Integer::sum);
            }
            System.err.println("--- chains on spectroscope.chains by step: " + chains);
            // The processors' own logs say what happened to a missing estimate; they live in the temp dir.
            for (String log : List.of("first.log", "second.log")) {
                Path file = work.resolve(log);
                if (java.nio.file.Files.exists(file)) {
                    List<String> lines = java.nio.file.Files.readAllLines(file);
                    System.err.println("--- " + log + " (last 80 lines)");
                    lines.subList(Math.max(0, lines.size() - 80), lines.size()).forEach(System.err::println);
                }
            }
            throw e;
        } finally {
            for (Process p : processors) {
                p.destroyForcibly();
            }
            SENT.clear();
        }
    }

    private void killAndRestart() throws Exception {
        try (KafkaProducer<String, byte[]> producer = producer()) {
            send(producer, RunStarted.newBuilder().setEventId(UUID.randomUUID().toString()).setRunId(RUN)
                    .setTimestamp(Instant.now()).setName(RUN).setModelFamily("tms").setN(1000).build());
            Process first = startProcessor("first.log");
            for (int step = 0; step < STEPS / 2; step++) {
                sendStep(producer, step);
            }
            producer.flush();
            assertAllSent();
            awaitEstimates(STEPS / 4, Duration.ofSeconds(90));
            first.destroyForcibly(); // SIGKILL: no shutdown hook, no clean commit
            assertTrue(first.waitFor(10, TimeUnit.SECONDS));
            for (int step = STEPS / 2; step < STEPS; step++) {
                sendStep(producer, step);
            }
            producer.flush();
            assertAllSent();
            Process second = startProcessor("second.log");
            try {
                Map<Long, Integer> estimates = awaitEstimates(STEPS, Duration.ofSeconds(120));
                Thread.sleep(3000); // anything duplicated would have arrived by now
                estimates = countEstimates();
                for (long step = 0; step < STEPS; step++) {
                    assertEquals(1, estimates.getOrDefault(step, 0), "LlcEstimates of step " + step + ": " + estimates);
                }
                Map<String, Integer> alerts = new HashMap<>();
                List<PhaseTransition> transitions = new ArrayList<>();
                for (SpecificRecord r : read("spectroscope.alerts")) {
                    Alert a = (Alert) r;
                    alerts.merge(a.getDedupKey() + (a.getResolved() ? "|resolved" : ""), 1, Integer::sum);
                }
                for (SpecificRecord r : read("spectroscope.transitions")) {
                    transitions.add((PhaseTransition) r);
                }
                assertEquals(2, transitions.size(), "the two concepts learned: " + transitions);
                assertTrue(alerts.values().stream().allMatch(n -> n == 1), "alerts by key: " + alerts);
                assertEquals(2, alerts.keySet().stream().filter(k -> transitions.stream()
                        .anyMatch(t -> t.getTransitionId().equals(k))).count(), "one alert per transition: " + alerts);
            } finally {
                second.destroy();
                second.waitFor(30, TimeUnit.SECONDS);
            }
        }
    }

    private static void assertAllSent() throws InterruptedException {
        for (var sent : SENT) {
            try {
                sent.get();
            } catch (java.util.concurrent.ExecutionException e) {
                throw new AssertionError("the test's producer lost a record (the broker refused it), so a missing "
                        + "estimate would say nothing about the processor: " + e.getCause(), e.getCause());
            }
        }
    }

    private Process startProcessor(String log) throws Exception {
        Process process = new ProcessBuilder(Path.of("..", "bin", "spectroscope").toAbsolutePath().normalize().toString(),
                "process", "--bootstrap-servers", KAFKA.bootstrapServers(), "--state-dir",
                work.resolve("streams").toString(), "--http-port", "-1", "--chain-wait", "30")
                .redirectErrorStream(true).redirectOutput(work.resolve(log).toFile()).start();
        processors.add(process);
        return process;
    }

    /** One checkpoint: 4 chains of λ ≈ 1.5, concept probes where feature-1 and feature-3 are learned, metrics. */
    private static void sendStep(KafkaProducer<String, byte[]> producer, int step) {
        SplittableRandom random = new SplittableRandom(step);
        for (int c = 0; c < 4; c++) {
            List<Double> losses = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                losses.add(0.1 + 3 * random.nextDouble() / 144.76 * 1.0);
            }
            send(producer, SgldChain.newBuilder().setEventId(UUID.randomUUID().toString()).setRunId(RUN).setStep(step)
                    .setTimestamp(Instant.now()).setChainIndex(c)
                    .setSampler(SamplerConfig.newBuilder().setEpsilon(1e-4).setNBeta(144.76).setGamma(1)
                            .setBatchSize(100).setN(1000).setDraws(100).setBurnIn(100).setSeed(c).setChainCount(4)
                            .build())
                    .setCenterLoss(0.1).setLosses(losses).build());
        }
        for (int f = 0; f < 4; f++) {
            double centre = f == 1 ? 10 : f == 3 ? 28 : Double.NaN;
            double score = Double.isNaN(centre) ? 0.02 : 0.05 + 0.8 / (1 + Math.exp((step - centre) / 1.2));
            send(producer, ConceptProbe.newBuilder().setEventId(UUID.randomUUID().toString()).setRunId(RUN)
                    .setStep(step).setTimestamp(Instant.now()).setProbe("feature-" + f).setScore(score).build());
        }
        send(producer, new TrainingMetrics(UUID.randomUUID().toString(), RUN, (long) step, Instant.now(), 0,
                0.1 + 0.001 * random.nextGaussian(), null, null, Map.of()));
    }

    private static void send(KafkaProducer<String, byte[]> producer, SpecificRecord event) {
        String topic = switch (event.getClass().getSimpleName()) {
            case "RunStarted" -> "spectroscope.runs";
            case "TrainingMetrics" -> "spectroscope.metrics";
            case "SgldChain" -> "spectroscope.chains";
            default -> "spectroscope.probes";
        };
        SENT.add(producer.send(new ProducerRecord<>(topic, RUN, EVENTS.encode(event))));
    }

    private static KafkaProducer<String, byte[]> producer() {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers());
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        // One request in flight: with several, a first request refused while a new partition's leader settles lets a
        // later one through (the broker takes any first sequence from a producer it has no state for), and the
        // first is then retried with an out-of-order sequence until it expires: lost (KAFKA-14359, KAFKA-15591).
        p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1);
        return new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    }

    private static Map<Long, Integer> awaitEstimates(int steps, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        Map<Long, Integer> counts = countEstimates();
        while (counts.size() < steps && System.nanoTime() < deadline) {
            Thread.sleep(500);
            counts = countEstimates();
        }
        assertTrue(counts.size() >= steps, "estimates for " + counts.size() + " of " + steps + " steps: "
                + counts.keySet() + "; dead letters: " + read("spectroscope.dlq").stream()
                .map(d -> ((dev.spectroscope.events.DeadLetter) d).getReason()).toList());
        return counts;
    }

    private static Map<Long, Integer> countEstimates() {
        Map<Long, Integer> counts = new HashMap<>();
        for (SpecificRecord r : read("spectroscope.estimates")) {
            if (r instanceof LlcEstimate e) {
                counts.merge(e.getStep(), 1, Integer::sum);
            }
        }
        return counts;
    }

    private static List<SpecificRecord> read(String topic) {
        return TopicScan.readEvents(KAFKA.bootstrapServers(), topic, Duration.ofSeconds(30));
    }
}
