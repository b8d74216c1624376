package dev.spectroscope.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spectroscope.events.Alert;
import dev.spectroscope.events.ConceptProbe;
import dev.spectroscope.events.DeadLetter;
import dev.spectroscope.events.DosEstimate;
import dev.spectroscope.events.EventSerde;
import dev.spectroscope.events.EventTypes;
import dev.spectroscope.events.LlcEstimate;
import dev.spectroscope.events.PhaseTransition;
import dev.spectroscope.events.RunEnded;
import dev.spectroscope.events.RunStarted;
import dev.spectroscope.events.RunStatus;
import dev.spectroscope.events.SamplerConfig;
import dev.spectroscope.events.SgldChain;
import dev.spectroscope.events.TrainingMetrics;
import dev.spectroscope.topics.TopicCatalogue;
import dev.spectroscope.estimate.EstimatorTopology;
import dev.spectroscope.transition.DetectorSettings;
import dev.spectroscope.transition.TransitionTopology;
import dev.spectroscope.transition.RunMonitor;
import dev.spectroscope.transition.RunState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.SplittableRandom;
import java.util.UUID;
import org.apache.avro.specific.SpecificRecord;
import org.apache.commons.math3.distribution.GammaDistribution;
import org.apache.commons.math3.random.Well19937c;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The pipeline topology, driven record by record. */
class PipelineTopologyTest {

    private static final TopicCatalogue TOPICS = new TopicCatalogue();
    @SuppressWarnings("unchecked")
    private static final EventSerde<SpecificRecord> EVENTS = EventSerde.anyOf(EventTypes.all().toArray(Class[]::new));

    @TempDir
    Path stateDir;

    private TopologyTestDriver estimator;
    private TopologyTestDriver driver;
    private TestInputTopic<String, SpecificRecord> runs;
    private TestInputTopic<String, SpecificRecord> metrics;
    private TestInputTopic<String, SpecificRecord> chainsIn;
    private TestInputTopic<String, SpecificRecord> probesOfEstimator;
    private TestInputTopic<String, byte[]> rawChains;
    private TestInputTopic<String, SpecificRecord> conceptsIn;
    private TestInputTopic<String, SpecificRecord> estimatesIn;
    private TestInputTopic<String, byte[]> rawMetrics;
    private TestInputTopic<String, byte[]> rawProbes;
    private TestInputTopic<String, byte[]> rawProbesOfTransitions;
    private TestOutputTopic<String, SpecificRecord> estimates;
    private TestOutputTopic<String, SpecificRecord> transitions;
    private TestOutputTopic<String, SpecificRecord> alerts;
    private TestOutputTopic<String, SpecificRecord> deadLetters;
    private TestOutputTopic<String, SpecificRecord> estimatorDeadLetters;

    @BeforeEach
    void start() {
        estimator = new TopologyTestDriver(EstimatorTopology.build(TOPICS, Duration.ofSeconds(30)),
                properties("test-estimator"), Instant.ofEpochMilli(1_000_000));
        driver = new TopologyTestDriver(TransitionTopology.build(TOPICS, DetectorSettings.defaults()),
                properties("test-transitions"), Instant.ofEpochMilli(1_000_000));
        runs = driver.createInputTopic(TOPICS.runs().name(), new StringSerializer(), EVENTS.serializer());
        metrics = driver.createInputTopic(TOPICS.metrics().name(), new StringSerializer(), EVENTS.serializer());
        chainsIn = estimator.createInputTopic(TOPICS.chains().name(), new StringSerializer(), EVENTS.serializer());
        probesOfEstimator = estimator.createInputTopic(TOPICS.probes().name(), new StringSerializer(),
                EVENTS.serializer());
        rawChains = estimator.createInputTopic(TOPICS.chains().name(), new StringSerializer(), new ByteArraySerializer());
        conceptsIn = driver.createInputTopic(TOPICS.probes().name(), new StringSerializer(), EVENTS.serializer());
        estimatesIn = driver.createInputTopic(TOPICS.estimates().name(), new StringSerializer(), EVENTS.serializer());
        rawMetrics = driver.createInputTopic(TOPICS.metrics().name(), new StringSerializer(), new ByteArraySerializer());
        rawProbes = estimator.createInputTopic(TOPICS.probes().name(), new StringSerializer(), new ByteArraySerializer());
        rawProbesOfTransitions = driver.createInputTopic(TOPICS.probes().name(), new StringSerializer(),
                new ByteArraySerializer());
        estimates = estimator.createOutputTopic(TOPICS.estimates().name(), new StringDeserializer(),
                EVENTS.deserializer());
        transitions = driver.createOutputTopic(TOPICS.transitions().name(), new StringDeserializer(),
                EVENTS.deserializer());
        alerts = driver.createOutputTopic(TOPICS.alerts().name(), new StringDeserializer(), EVENTS.deserializer());
        deadLetters = driver.createOutputTopic(TOPICS.deadLetters().name(), new StringDeserializer(),
                EVENTS.deserializer());
        estimatorDeadLetters = estimator.createOutputTopic(TOPICS.deadLetters().name(), new StringDeserializer(),
                EVENTS.deserializer());
    }

    private Properties properties(String id) {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, id);
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.resolve(id).toString());
        return props;
    }

    @AfterEach
    void stop() {
        estimator.close();
        driver.close();
    }

    /** A chain goes to the chains topic (the estimator's); a concept probe to the probes topic, which both read. */
    private void probe(String key, SpecificRecord value) {
        if (value instanceof SgldChain) {
            chainsIn.pipeInput(key, value);
        } else {
            probesOfEstimator.pipeInput(key, value);
            conceptsIn.pipeInput(key, value);
        }
    }

    /** What the estimator wrote to the estimates topic, delivered to the transition topology as Kafka would. */
    private List<SpecificRecord> loopEstimates() {
        List<SpecificRecord> out = estimates.readValuesToList();
        for (SpecificRecord e : out) {
            estimatesIn.pipeInput(e.get(e.getSchema().getField("runId").pos()).toString(), e);
        }
        return out;
    }

    static RunStarted runStarted(String runId, Map<String, String> tags) {
        return RunStarted.newBuilder().setEventId(UUID.randomUUID().toString()).setRunId(runId)
                .setTimestamp(Instant.ofEpochMilli(1)).setName(runId).setModelFamily("tms").setN(1000)
                .setTags(tags).build();
    }

    static TrainingMetrics metrics(String runId, long step, double loss) {
        return new TrainingMetrics(UUID.randomUUID().toString(), runId, step, Instant.ofEpochMilli(step), 0, loss, null,
                null, Map.of());
    }

    /**
     * A chain whose energies t = L − L* are Gamma(λ, 1/s) draws: the exact energy distribution at inverse
     * temperature s of a density of states v(t) ∝ t^(λ−1), so s·E[t] = λ at every rung (m = 1).
     */
    static SgldChain gammaChain(String runId, long step, int chain, int temperature, double lambda, double[] ladder,
                                int chains, int draws) {
        double nBeta = 144.76 * ladder[temperature];
        GammaDistribution gamma = new GammaDistribution(new Well19937c(31L * step + 7L * chain + temperature), lambda,
                1 / nBeta);
        List<Double> losses = new ArrayList<>();
        for (int i = 0; i < draws; i++) {
            losses.add(0.1 + gamma.sample());
        }
        return SgldChain.newBuilder().setEventId(UUID.randomUUID().toString()).setRunId(runId).setStep(step)
                .setTimestamp(Instant.ofEpochMilli(step)).setChainIndex(chain).setTemperatureIndex(temperature)
                .setSampler(SamplerConfig.newBuilder().setEpsilon(1e-4).setNBeta(nBeta).setGamma(1).setBatchSize(100)
                        .setN(1000).setDraws(draws).setBurnIn(draws).setSeed(chain).setChainCount(chains)
                        .setTemperatureCount(ladder.length).build())
                .setCenterLoss(0.1).setLosses(losses).setMeanSquaredDistance(1e-4).build();
    }

    @Test
    void allChainsOfAStepGiveAnLlcAndADosEstimateThatRecoverTheKnownExponent() {
        runs.pipeInput("r1", runStarted("r1", Map.of()));
        double[] ladder = {1, 2, 4};
        for (int t = 0; t < 3; t++) {
            for (int c = 0; c < 4; c++) {
                assertTrue(estimates.isEmpty(), "no estimate before the last chain");
                probe("r1", gammaChain("r1", 500, c, t, 1.5, ladder, 4, 2000));
                if (t == 1 && c == 2) {
                    // Redelivered before the step is complete: it replaces its copy and counts once.
                    probe("r1", gammaChain("r1", 500, 0, 0, 1.5, ladder, 4, 2000));
                }
            }
        }
        List<SpecificRecord> out = loopEstimates();
        assertEquals(2, out.size(), out.toString());
        LlcEstimate llc = (LlcEstimate) out.get(0);
        assertEquals(500, llc.getStep());
        assertEquals(4, llc.getChains());
        assertFalse(llc.getPartial());
        assertEquals(1.5, llc.getLlcMean(), 0.1, "λ̂ from Gamma(1.5) energies");
        DosEstimate dos = (DosEstimate) out.get(1);
        assertEquals(1.5, dos.getLambda(), 0.25, "DOS λ");
        assertEquals(1.0, dos.getMultiplicity(), 0.5, "DOS m");
        // The monitor read them back.
        KeyValueStore<String, RunState> store = driver.getKeyValueStore(RunMonitor.STORE);
        assertEquals(llc.getLlcMean(), store.get("r1").llcMean, 1e-12);
        assertEquals(dos.getLambda(), store.get("r1").dosLambda, 1e-12);
        // A repeated chain after the estimate is late: a dead letter, not a second estimate.
        probe("r1", gammaChain("r1", 500, 0, 0, 1.5, ladder, 4, 2000));
        assertTrue(estimates.isEmpty());
        assertEquals("late", ((DeadLetter) estimatorDeadLetters.readValue()).getErrorType());
    }

    @Test
    void eventsThatArriveBeforeTheirRunStartedAreProcessedWhenItComes() {
        // Concept probes and metrics fetched before the runs partition: held, then processed in arrival order.
        metrics.pipeInput("r2", metrics("r2", 10, 0.5));
        conceptsIn.pipeInput("r2", ConceptProbe.newBuilder().setEventId("p").setRunId("r2").setStep(99)
                .setTimestamp(Instant.ofEpochMilli(99)).setProbe("feature-0").setScore(0.8).build());
        metrics.pipeInput("r2", metrics("r2", 11, 0.4));
        driver.advanceWallClockTime(Duration.ofSeconds(5));
        assertTrue(deadLetters.isEmpty(), "not dead letters while their RunStarted may still come");
        runs.pipeInput("r2", runStarted("r2", Map.of()));
        RunState state = driver.<String, RunState>getKeyValueStore(RunMonitor.STORE).get("r2");
        assertEquals(11, state.latestStep, "both metrics, in order");
        assertEquals(0.4, state.latestLoss, 0.0);
        assertEquals(99L, state.lastConceptStep.get("feature-0"));
        driver.advanceWallClockTime(Duration.ofSeconds(20));
        assertTrue(deadLetters.isEmpty(), "released events are not dead-lettered later: " + deadLetters.readValuesToList());
        // A run that never starts: its events become dead letters once they have waited, naming their source.
        metrics.pipeInput("r3", metrics("r3", 1, 0.5));
        driver.advanceWallClockTime(Duration.ofSeconds(11));
        DeadLetter letter = (DeadLetter) deadLetters.readValue();
        assertEquals("unknown-run", letter.getErrorType());
        assertEquals(TOPICS.metrics().name(), letter.getSourceTopic());
        assertEquals("r3", letter.getRunId());
        assertNotNull(letter.getValue());
        assertTrue(deadLetters.isEmpty());
    }

    @Test
    void chainsOnTheProbesTopicAsEarlierBuildsWroteThemAreStillEstimated() {
        // Before chains had their own topic the agent and the probe worker wrote them to the probes topic; a
        // rolling upgrade or a journal synced late can still bring some there.
        double[] ladder = {1};
        for (int c = 0; c < 4; c++) {
            probesOfEstimator.pipeInput("r1", gammaChain("r1", 300, c, 0, 2.0, ladder, 4, 500));
        }
        LlcEstimate llc = (LlcEstimate) estimates.readValue();
        assertEquals(300, llc.getStep());
        assertEquals(4, llc.getChains());
        assertFalse(llc.getPartial());
        assertTrue(estimatorDeadLetters.isEmpty(), "concept probes and chains there are no dead letters");
    }

    @Test
    void aStepMissingChainsIsEstimatedPartiallyAfterTheWait() {
        runs.pipeInput("r1", runStarted("r1", Map.of()));
        double[] ladder = {1};
        for (int c = 0; c < 3; c++) {
            probe("r1", gammaChain("r1", 100, c, 0, 2.0, ladder, 4, 500));
        }
        estimator.advanceWallClockTime(Duration.ofSeconds(10));
        assertTrue(estimates.isEmpty(), "still waiting");
        estimator.advanceWallClockTime(Duration.ofSeconds(25));
        LlcEstimate llc = (LlcEstimate) estimates.readValue();
        assertTrue(llc.getPartial());
        assertEquals(3, llc.getChains());
        assertTrue(llc.getDiagnostics().get(0).startsWith("partial: 3 of 4"), llc.getDiagnostics().toString());
    }

    @Test
    void badRecordsGoToTheDeadLettersWithTheirReasonAndTheRunGoesOn() {
        runs.pipeInput("r1", runStarted("r1", Map.of()));
        metrics.pipeInput("r1", metrics("r1", 0, 0.5));
        rawMetrics.pipeInput("r1", new byte[] {1, 2, 3, 4, 5}); // corrupt bytes
        byte[] unknown = EVENTS.serializer().serialize("x", metrics("r1", 1, 0.5));
        unknown[5] ^= 0x5A; // a fingerprint no schema version has
        rawMetrics.pipeInput("r1", unknown);
        rawMetrics.pipeInput("r1", EVENTS.serializer().serialize("x", // the wrong event type for the topic
                ConceptProbe.newBuilder().setEventId("c").setRunId("r1").setStep(1).setTimestamp(Instant.EPOCH)
                        .setProbe("p").setScore(1).build()));
        metrics.pipeInput("r1", metrics("r1", 1, Double.NaN));
        metrics.pipeInput("r1", metrics("r1", 2, 0.4));
        metrics.pipeInput("r1", metrics("r1", 1, 0.4)); // backwards
        metrics.pipeInput("r9", metrics("r9", 1, 0.4)); // unknown run
        rawProbes.pipeInput("r1", new byte[] {(byte) 0xC3, 0x01, 0, 0}); // truncated: the estimator's dead letter
        rawChains.pipeInput("r1", new byte[] {0x01, 0x02}); // not an event: the estimator's dead letter too
        rawProbesOfTransitions.pipeInput("r1", new byte[] {(byte) 0xC3, 0x01, 0, 0}); // skipped here
        metrics.pipeInput("r1", metrics("r1", 3, 0.3));
        // An unknown run's event waits for its RunStarted (it may be a fetch behind) before it is a dead letter.
        assertEquals(5, deadLetters.getQueueSize(), "r9's metrics still wait for their RunStarted");
        driver.advanceWallClockTime(Duration.ofSeconds(11));

        List<String> types = new ArrayList<>();
        List<String> reasons = new ArrayList<>();
        for (SpecificRecord r : deadLetters.readValuesToList()) {
            DeadLetter d = (DeadLetter) r;
            types.add(d.getErrorType());
            reasons.add(d.getReason());
            assertNotNull(d.getValue(), "the raw bytes travel with the reason");
        }
        assertEquals(List.of("corrupt-bytes", "unknown-schema", "wrong-event-type", "invalid-value", "step-backwards",
                "unknown-run"), types, reasons.toString());
        DeadLetter truncated = (DeadLetter) estimatorDeadLetters.readValue();
        assertEquals("corrupt-bytes", truncated.getErrorType());
        DeadLetter notAnEvent = (DeadLetter) estimatorDeadLetters.readValue();
        assertEquals("corrupt-bytes", notAnEvent.getErrorType());
        assertTrue(notAnEvent.getReason().contains(TOPICS.chains().name()), notAnEvent.getReason());
        assertTrue(estimatorDeadLetters.isEmpty(), "one dead letter per bad record, not one per application");
        assertTrue(reasons.get(3).contains("loss NaN"), reasons.get(3));
        assertTrue(reasons.get(4).contains("goes backwards"), reasons.get(4));
        assertTrue(reasons.get(5).contains("waited 10 s"), reasons.get(5));
        RunState state = driver.<String, RunState>getKeyValueStore(RunMonitor.STORE).get("r1");
        assertEquals(3, state.latestStep, "the run's good events were all processed");
        List<Alert> raised = alerts.readValuesToList().stream().map(Alert.class::cast).toList();
        assertEquals("nan-loss", raised.get(0).getKind());
        assertFalse(raised.get(0).getResolved());
        assertTrue(raised.get(1).getResolved(), "the NaN alert resolves when the loss is finite again");
    }

    @Test
    void aConceptThatIsLearnedMakesOneTransitionNamingIt() {
        runs.pipeInput("r1", runStarted("r1", Map.of()));
        SplittableRandom random = new SplittableRandom(5);
        for (long step = 0; step < 3000; step++) {
            double loss = 0.1 + 0.2 / (1 + Math.exp((step - 1200) / 100.0)) + 0.01 * random.nextGaussian();
            metrics.pipeInput("r1", metrics("r1", step, loss));
            if ((step + 1) % 100 == 0) {
                for (int f = 0; f < 4; f++) {
                    double score = f == 2 ? 0.05 + 0.8 / (1 + Math.exp((step - 1200) / 100.0)) : 0.02 + 0.001 * f;
                    probe("r1", ConceptProbe.newBuilder().setEventId(UUID.randomUUID().toString())
                            .setRunId("r1").setStep(step).setTimestamp(Instant.ofEpochMilli(step))
                            .setProbe("feature-" + f).setScore(score).build());
                }
            }
        }
        runs.pipeInput("r1", RunEnded.newBuilder().setEventId("e").setRunId("r1").setTimestamp(Instant.now())
                .setStatus(RunStatus.FINISHED).setLastStep(2999).setDurationMillis(1).build());
        List<PhaseTransition> found = transitions.readValuesToList().stream().map(PhaseTransition.class::cast).toList();
        assertEquals(1, found.size(), found.toString());
        PhaseTransition t = found.get(0);
        assertTrue(Math.abs(t.getStartStep() - 1200) <= 200, "start " + t.getStartStep());
        assertEquals("feature-2", t.getTopConcepts().get(0).getProbe());
        assertTrue(t.getDetectionDelaySteps() >= 0);
        List<Alert> raised = alerts.readValuesToList().stream().map(Alert.class::cast).toList();
        assertEquals(1, raised.stream().filter(a -> a.getKind().equals("phase-transition")).count(), raised.toString());
        assertEquals(t.getTransitionId(), raised.stream().filter(a -> a.getKind().equals("phase-transition"))
                .findFirst().orElseThrow().getDedupKey());
    }

    @Test
    void aRunThatStopsSendingRaisesOneAlertThatResolvesWhenItSpeaksAgain() {
        runs.pipeInput("r1", runStarted("r1", Map.of("detector.silence-seconds", "60")));
        metrics.pipeInput("r1", metrics("r1", 0, 0.5));
        driver.advanceWallClockTime(Duration.ofSeconds(30));
        assertTrue(alerts.isEmpty());
        driver.advanceWallClockTime(Duration.ofSeconds(40));
        driver.advanceWallClockTime(Duration.ofSeconds(40));
        List<Alert> raised = alerts.readValuesToList().stream().map(Alert.class::cast).toList();
        assertEquals(1, raised.size(), raised.toString());
        assertEquals("silent", raised.get(0).getKind());
        metrics.pipeInput("r1", metrics("r1", 1, 0.5));
        Alert resolved = (Alert) alerts.readValue();
        assertTrue(resolved.getResolved());
        assertEquals(raised.get(0).getDedupKey(), resolved.getDedupKey());

        // Silent again: a new episode, under a key of its own, or the sinks would take it for the one delivered.
        driver.advanceWallClockTime(Duration.ofSeconds(80));
        Alert again = (Alert) alerts.readValue();
        assertEquals("silent", again.getKind());
        assertFalse(again.getResolved());
        assertNotEquals(raised.get(0).getDedupKey(), again.getDedupKey());
        metrics.pipeInput("r1", metrics("r1", 2, 0.5));
        Alert resolvedAgain = (Alert) alerts.readValue();
        assertTrue(resolvedAgain.getResolved());
        assertEquals(again.getDedupKey(), resolvedAgain.getDedupKey());
    }

    @Test
    void stateStoresAreNamed() throws Exception {
        String description = EstimatorTopology.build(TOPICS, Duration.ofSeconds(1)).describe().toString()
                + TransitionTopology.build(TOPICS, DetectorSettings.defaults()).describe();
        for (String store : List.of("sgld-chains", "sgld-chain-groups", "estimated-steps", "run-states")) {
            assertTrue(description.contains(store), store);
        }
        assertTrue(Files.isDirectory(stateDir));
        assertEquals(Serdes.String().getClass(), TOPICS.runs().keySerde().getClass());
    }
}
