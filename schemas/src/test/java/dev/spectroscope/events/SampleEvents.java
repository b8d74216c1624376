package dev.spectroscope.events;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.apache.avro.specific.SpecificRecord;

/** One realistic instance of every event type, at realistic sizes. */
final class SampleEvents {

    static final String RUN = "tms-seed-7";
    static final Instant NOW = Instant.parse("2026-11-25T04:00:00Z");

    private SampleEvents() {
    }

    static String id() {
        return UUID.randomUUID().toString();
    }

    static List<SpecificRecord> all() {
        return List.of(runStarted(), runEnded(), metrics(12), checkpointInline(4096), checkpointByReference(),
                sgldChain(10_000), conceptProbe(), llcEstimate(), dosEstimate(), phaseTransition(), alert(),
                deadLetter());
    }

    static RunStarted runStarted() {
        return RunStarted.newBuilder().setEventId(id()).setRunId(RUN).setTimestamp(NOW).setName("TMS F=6 H=2")
                .setModelFamily("tms").setModelSpec(Map.of("features", "6", "hidden", "2"))
                .setN(1000).setParameterCount(18).setHyperparameters(Map.of("lr", "0.02", "optimizer", "sgd"))
                .setProbe(ProbeConfig.newBuilder().setEpsilon(1e-4).setGamma(100).setNBeta(144.76)
                        .setLadder(List.of(0.5, 1.0, 2.0)).setChains(4).setDraws(200).setBurnIn(200)
                        .setBatchSize(100).setSeed(7).build())
                .setProbeData(BlobRef.newBuilder().setUri("file:///tmp/blobs/tms-seed-7/probe-data.bin")
                        .setSha256("ab".repeat(32)).setSizeBytes(48_000).build())
                .setConceptProbes(List.of("feature-0", "feature-1")).setTags(Map.of("user", "ada"))
                .setAgentVersion("0.1.0").build();
    }

    static RunEnded runEnded() {
        return RunEnded.newBuilder().setEventId(id()).setRunId(RUN).setTimestamp(NOW).setStatus(RunStatus.FINISHED)
                .setLastStep(3000).setDurationMillis(61_000).setDroppedEvents(Map.of("TrainingMetrics", 3L)).build();
    }

    static TrainingMetrics metrics(long step) {
        return TrainingMetrics.newBuilder().setEventId(id()).setRunId(RUN).setStep(step).setTimestamp(NOW)
                .setLoss(0.3312).setLearningRate(0.02).setGradientNorm(1.5).setScalars(Map.of("accuracy", 0.5))
                .build();
    }

    static Checkpoint checkpointInline(int floats) {
        ByteBuffer params = ByteBuffer.allocate(floats * 4);
        Random random = new Random(1);
        for (int i = 0; i < floats; i++) {
            params.putFloat(random.nextFloat());
        }
        params.flip();
        return Checkpoint.newBuilder().setEventId(id()).setRunId(RUN).setStep(100).setTimestamp(NOW)
                .setParameterCount(floats)
                .setLayout(List.of(ParameterBlock.newBuilder().setName("W").setShape(List.of(2, floats / 2))
                        .setOffset(0).setLength(floats).build()))
                .setInlineParameters(params).setLoss(0.2).build();
    }

    static Checkpoint checkpointByReference() {
        return Checkpoint.newBuilder().setEventId(id()).setRunId(RUN).setStep(200).setTimestamp(NOW)
                .setParameterCount(25_000_000).setDtype("FLOAT32")
                .setLayout(List.of(
                        ParameterBlock.newBuilder().setName("0_W").setShape(List.of(5000, 4999)).setOffset(0)
                                .setLength(24_995_000).build(),
                        ParameterBlock.newBuilder().setName("0_b").setShape(List.of(1, 5000)).setOffset(24_995_000)
                                .setLength(5000).build()))
                .setBlob(BlobRef.newBuilder().setUri("file:///data/blobs/tms-seed-7/step-200.params")
                        .setSha256("0123456789abcdef".repeat(4)).setSizeBytes(100_000_000L)
                        .setContentType("application/x-spectroscope-params").build())
                .build();
    }

    static SgldChain sgldChain(int draws) {
        List<Double> losses = new ArrayList<>(draws);
        Random random = new Random(2);
        for (int i = 0; i < draws; i++) {
            losses.add(0.05 + 0.001 * random.nextGaussian());
        }
        return SgldChain.newBuilder().setEventId(id()).setRunId(RUN).setStep(100).setTimestamp(NOW)
                .setChainIndex(3).setTemperatureIndex(1)
                .setSampler(SamplerConfig.newBuilder().setEpsilon(1e-4).setNBeta(144.76).setGamma(100)
                        .setBatchSize(100).setN(1000).setDraws(draws).setBurnIn(draws).setSeed(42)
                        .setChainCount(4).setTemperatureCount(3).build())
                .setCenterLoss(0.049).setLosses(losses).setMalaAcceptance(0.91)
                .setDiagnostics(List.of("chain 3: mean of first and last third differ by 2.1 standard errors"))
                .setElapsedMillis(1234).build();
    }

    static ConceptProbe conceptProbe() {
        return ConceptProbe.newBuilder().setEventId(id()).setRunId(RUN).setStep(100).setTimestamp(NOW)
                .setProbe("feature-3").setScore(0.0123).build();
    }

    static LlcEstimate llcEstimate() {
        return LlcEstimate.newBuilder().setEventId(id()).setRunId(RUN).setStep(100).setTimestamp(NOW)
                .setLlcMean(2.31).setLlcStd(0.12).setChainValues(List.of(2.2, 2.4, 2.3, 2.34)).setCenterLoss(0.049)
                .setNBeta(144.76).setEpsilon(1e-4).setGamma(100).setChains(4).setDraws(200)
                .setFractionBelowCenter(0.02).setMalaAcceptance(0.9).setMeanTrace(List.of(2.0, 2.2, 2.3))
                .build();
    }

    static DosEstimate dosEstimate() {
        return DosEstimate.newBuilder().setEventId(id()).setRunId(RUN).setStep(100).setTimestamp(NOW)
                .setLambda(2.25).setLambdaStderr(0.1).setMultiplicity(1.0).setMultiplicityStderr(0.3)
                .setLadderNBeta(List.of(72.4, 144.8, 289.5)).setLadderMeanEnergy(List.of(2.1, 2.2, 2.24))
                .setLogDensityT(List.of(0.001, 0.01, 0.1)).setLogDensity(List.of(-3.0, -1.0, 1.0)).build();
    }

    static PhaseTransition phaseTransition() {
        return PhaseTransition.newBuilder().setEventId(id()).setRunId(RUN).setTimestamp(NOW)
                .setTransitionId(RUN + "/llc/1000").setSignal("llc").setDetector("bocpd").setStartStep(1000)
                .setEndStep(1400).setDetectedAtStep(1500).setDetectionDelaySteps(500).setLevelBefore(1.2)
                .setLevelAfter(3.4).setLlcBefore(1.2).setLlcAfter(3.4).setLossBefore(0.33).setLossAfter(0.1)
                .setConfidence(0.97)
                .setTopConcepts(List.of(ConceptMove.newBuilder().setProbe("feature-2").setBefore(0.33)
                        .setAfter(0.02).build()))
                .build();
    }

    static Alert alert() {
        return Alert.newBuilder().setEventId(id()).setRunId(RUN).setTimestamp(NOW).setStep(1500L)
                .setSeverity(Severity.WARNING).setKind("phase-transition").setTitle("LLC jumped 1.2 -> 3.4")
                .setText("steps 1000-1400").setDedupKey(RUN + "/llc/1000").setLabels(Map.of("signal", "llc"))
                .build();
    }

    static DeadLetter deadLetter() {
        return DeadLetter.newBuilder().setEventId(id()).setTimestamp(NOW).setRunId(RUN)
                .setSourceTopic("spectroscope.metrics").setPartition(1).setOffset(99)
                .setKey(ByteBuffer.wrap(RUN.getBytes())).setValue(ByteBuffer.wrap(new byte[] {1, 2, 3}))
                .setApplication("process").setErrorType("corrupt-bytes").setReason("not Avro").build();
    }
}
