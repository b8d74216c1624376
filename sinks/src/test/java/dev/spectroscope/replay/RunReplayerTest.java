package dev.spectroscope.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spectroscope.events.Alert;
import dev.spectroscope.events.LlcEstimate;
import dev.spectroscope.events.RunEnded;
import dev.spectroscope.events.RunStarted;
import dev.spectroscope.events.RunStatus;
import dev.spectroscope.events.Severity;
import dev.spectroscope.events.TrainingMetrics;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;

class RunReplayerTest {

    static RunStarted started(long at) {
        return RunStarted.newBuilder().setEventId("s").setRunId("r").setTimestamp(Instant.ofEpochMilli(at)).setName("n")
                .setModelFamily("tms").setModelSpec(Map.of()).setN(10).setParameterCount(1).setHyperparameters(Map.of())
                .setConceptProbes(List.of()).setTags(Map.of("detector.signals", "llc", "team", "a"))
                .setAgentVersion("t").build();
    }

    static TrainingMetrics metrics(long step, long at) {
        return TrainingMetrics.newBuilder().setEventId("m" + step).setRunId("r").setStep(step)
                .setTimestamp(Instant.ofEpochMilli(at)).setEpoch(0).setLoss(1).setScalars(Map.of()).build();
    }

    static RunEnded ended(long at) {
        return RunEnded.newBuilder().setEventId("e").setRunId("r").setTimestamp(Instant.ofEpochMilli(at))
                .setStatus(RunStatus.FINISHED).setLastStep(2).setDurationMillis(1).setDroppedEvents(Map.of())
                .setMessage("").build();
    }

    @Test
    void onlyTheRunsInputsAreReplayedStartFirstEndLastTheRestByTime() {
        LlcEstimate derived = LlcEstimate.newBuilder().setEventId("l").setRunId("r").setStep(1)
                .setTimestamp(Instant.ofEpochMilli(5)).setLlcMean(1).setLlcStd(0).setChainValues(List.of())
                .setCenterLoss(0).setNBeta(1).setEpsilon(1).setGamma(1).setChains(1).setDraws(1).setPartial(false)
                .setMeanTrace(List.of()).setDiagnostics(List.of()).build();
        Alert alert = Alert.newBuilder().setEventId("a").setRunId("r").setTimestamp(Instant.ofEpochMilli(6))
                .setSeverity(Severity.INFO).setKind("k").setTitle("t").setDedupKey("d").build();
        // As an archive may hold them: the end read before the last metrics, derived events mixed in.
        List<SpecificRecord> recorded = List.of(metrics(1, 20), ended(40), derived, started(10), alert, metrics(2, 30),
                metrics(0, 15));
        List<SpecificRecord> inputs = RunReplayer.inputs("r", recorded);
        assertEquals(List.of("s", "m0", "m1", "m2", "e"), inputs.stream().map(e -> e.get(0).toString()).toList());
    }

    @Test
    void aReplayUnderANewIdGetsNewDerivedIdsAndTheTagOverrides() {
        RunReplayer.Plan plan = new RunReplayer.Plan("r", "r2", ReplaySpeed.MAX, Map.of("detector.signals", "concept"));
        RunStarted out = (RunStarted) RunReplayer.rewrite(started(10), plan);
        assertEquals("r2", out.getRunId());
        assertNotEquals("s", out.getEventId());
        assertEquals(out.getEventId(), ((RunStarted) RunReplayer.rewrite(started(10), plan)).getEventId(),
                "the same replay twice gives the same ids: consumers drop the second");
        assertEquals("concept", out.getTags().get("detector.signals"));
        assertEquals("a", out.getTags().get("team"));
        assertEquals("r", out.getTags().get(RunReplayer.REPLAY_OF_TAG));
        assertEquals("r", started(10).getRunId(), "the recorded event is left alone");
    }

    @Test
    void aRecordingWithoutItsStartCannotBeReplayed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RunReplayer.inputs("r", List.of(metrics(1, 1))));
        assertTrue(e.getMessage().contains("no RunStarted"), e.getMessage());
    }

    @Test
    void speedsParseAndPaceTheRecordedGaps() {
        assertEquals(0, ReplaySpeed.parse("max").delayMillis(60_000));
        assertEquals(60_000, ReplaySpeed.parse("1x").delayMillis(60_000));
        assertEquals(6_000, ReplaySpeed.parse("10x").delayMillis(60_000));
        assertEquals(24_000, ReplaySpeed.parse("2.5x").delayMillis(60_000));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ReplaySpeed.parse("fast")).getMessage()
                .contains("max, 1x, 10x"));
        assertThrows(IllegalArgumentException.class, () -> ReplaySpeed.parse("0x"));
    }
}
