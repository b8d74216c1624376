package dev.spectroscope.transition;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class DetectorsTest {

    private static final DetectorSettings DEFAULTS = DetectorSettings.defaults();

    /** A sigmoid from 0.85 to 0.05 centred at step 1500, sampled every 100 steps, with a little jitter. */
    private static double sigmoid(long step, SplittableRandom random) {
        return 0.05 + 0.8 / (1 + Math.exp((step - 1500) / 120.0)) + 0.002 * random.nextGaussian();
    }

    @Test
    void excursionReportsOneMoveStartingWhereTheSigmoidTurns() {
        SplittableRandom random = new SplittableRandom(1);
        ExcursionDetector d = new ExcursionDetector("concept:f");
        List<SignalChange> changes = new ArrayList<>();
        for (long step = 99; step < 4000; step += 100) {
            d.observe(step, sigmoid(step, random), DEFAULTS.concept()).ifPresent(changes::add);
        }
        assertEquals(1, changes.size(), changes.toString());
        SignalChange c = changes.get(0);
        // 30% of the way down (0.85 → 0.05) is reached near step 1500 − 120·ln(7/3) ≈ 1400.
        assertTrue(Math.abs(c.startStep() - 1400) <= 100, "start " + c.startStep());
        assertTrue(c.levelBefore() > 0.8 && c.levelAfter() < 0.1, c.toString());
        assertTrue(c.endStep() > c.startStep() && c.detectedAtStep() >= c.endStep());
    }

    @Test
    void excursionStaysQuietOnAPlateauWithNoise() {
        SplittableRandom random = new SplittableRandom(2);
        ExcursionDetector d = new ExcursionDetector("concept:f");
        for (long step = 0; step < 20_000; step += 100) {
            Optional<SignalChange> c = d.observe(step, 0.6 + 0.02 * random.nextGaussian(), DEFAULTS.concept());
            assertTrue(c.isEmpty(), "false alarm at " + step + ": " + c);
        }
    }

    @Test
    void bocpdFindsALevelShiftInNoisyEstimatesAndNothingElse() {
        SplittableRandom random = new SplittableRandom(3);
        BocpdDetector d = new BocpdDetector("llc");
        List<SignalChange> changes = new ArrayList<>();
        for (int i = 0; i < 120; i++) {
            long step = 100L * i;
            double level = i < 60 ? 2.0 : 3.5;
            d.observe(step, level + 0.1 * random.nextGaussian(), 0.1, DEFAULTS.llc()).ifPresent(changes::add);
        }
        assertEquals(1, changes.size(), changes.toString());
        assertTrue(Math.abs(changes.get(0).startStep() - 6000) <= 100, "start " + changes.get(0).startStep());
        assertEquals(2.0, changes.get(0).levelBefore(), 0.2, changes.toString());
        assertEquals(3.5, changes.get(0).levelAfter(), 0.2);
    }

    @Test
    void bocpdIgnoresOneOutlier() {
        SplittableRandom random = new SplittableRandom(4);
        BocpdDetector d = new BocpdDetector("llc");
        for (int i = 0; i < 80; i++) {
            double v = i == 40 ? 5.0 : 2.0 + 0.1 * random.nextGaussian();
            Optional<SignalChange> c = d.observe(100L * i, v, 0.1, DEFAULTS.llc());
            assertTrue(c.isEmpty(), "false alarm at " + i + ": " + c);
        }
    }

    @Test
    void runTagsOverrideTheDefaultsAndBadOnesSayWhich() {
        DetectorSettings s = DEFAULTS.withTags(java.util.Map.of("detector.concept.absolute", "0.05",
                "detector.signals", "llc,concepts", "other", "x"));
        assertEquals(0.05, s.concept().absolute());
        assertTrue(s.watches("llc") && !s.watches("loss"));
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> DEFAULTS.withTags(java.util.Map.of("detector.llc.threshold", "lots")));
        assertTrue(e.getMessage().contains("detector.llc.threshold"), e.getMessage());
    }
}
