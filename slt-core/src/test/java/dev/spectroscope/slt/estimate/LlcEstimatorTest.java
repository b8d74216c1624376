package dev.spectroscope.slt.estimate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spectroscope.slt.sampler.ChainResult;
import dev.spectroscope.slt.sampler.Preconditioner;
import dev.spectroscope.slt.sampler.SgldSampler;
import dev.spectroscope.slt.sampler.SgldSettings;
import dev.spectroscope.slt.testing.Quadratic;
import java.util.List;
import org.junit.jupiter.api.Test;

class LlcEstimatorTest {

    private static SgldSettings fullBatch(double epsilon, double gamma, int chains, int draws) {
        return new SgldSettings(epsilon, gamma, Double.NaN, Integer.MAX_VALUE, chains, draws, draws, 1, 7L,
                Preconditioner.NONE, 20);
    }

    @Test
    void aRegularModelHasHalfItsDimension() {
        // λ = d/2 for a regular model: the known answer for a quadratic minimum.
        Quadratic model = Quadratic.regular(12, 10_000);
        double nBeta = SgldSettings.defaultNBeta(10_000);
        LlcResult r = LlcEstimator.estimate(new SgldSampler(2).sample(model, fullBatch(0.02 / nBeta, 1, 4, 4000))
                .chains());
        assertEquals(6.0, r.mean(), 0.6, "λ̂ = " + r.mean() + " ± " + r.std());
        assertEquals(4, r.chains());
        assertEquals(4000, r.meanTrace().length);
        assertTrue(r.malaAcceptance() > 0.8 && r.malaAcceptance() <= 1, "acceptance " + r.malaAcceptance());
        assertTrue(r.diagnostics().isEmpty(), r.diagnostics().toString());
    }

    @Test
    void aCentreThatIsNotAMinimumIsFlagged() {
        // The minimum lies at 1 on every coordinate, the probe is centred at 0: the chains slide downhill.
        double[] ones = {1, 1, 1, 1};
        Quadratic model = new Quadratic(ones, ones, new double[4], 10_000, Long.MAX_VALUE);
        double nBeta = SgldSettings.defaultNBeta(10_000);
        LlcResult r = LlcEstimator.estimate(new SgldSampler(2).sample(model, fullBatch(0.02 / nBeta, 1, 2, 2000))
                .chains());
        assertTrue(r.mean() < 0, "λ̂ = " + r.mean());
        assertTrue(r.fractionBelowCenter() > 0.9, "below " + r.fractionBelowCenter());
        assertTrue(r.diagnostics().stream().anyMatch(d -> d.startsWith("negative estimate")), r.diagnostics().toString());
        assertTrue(r.diagnostics().stream().anyMatch(d -> d.contains("fell below L(w*)")), r.diagnostics().toString());
    }

    @Test
    void aChainThatHasNotSettledIsFlagged() {
        // No burn-in and a tiny step: the chain is still climbing from the minimum when it records.
        Quadratic model = Quadratic.regular(20, 10_000);
        double nBeta = SgldSettings.defaultNBeta(10_000);
        SgldSettings s = new SgldSettings(1e-4 / nBeta, 1, Double.NaN, Integer.MAX_VALUE, 2, 3000, 0, 1, 3L,
                Preconditioner.NONE, 0);
        LlcResult r = LlcEstimator.estimate(new SgldSampler(2).sample(model, s).chains());
        assertTrue(r.diagnostics().stream().anyMatch(d -> d.contains("not stationary") && d.contains("drifting up")),
                r.diagnostics().toString());
    }

    @Test
    void divergedChainsAreLeftOutAndReported() {
        Quadratic bad = new Quadratic(new double[] {1}, new double[1], new double[1], 1000, 10);
        LlcResult r = LlcEstimator.estimate(new SgldSampler(1).sample(bad, fullBatch(1e-4, 1, 2, 100)).chains());
        assertTrue(Double.isNaN(r.mean()));
        assertTrue(r.diagnostics().stream().anyMatch(d -> d.startsWith("every chain diverged")));
        List<ChainResult> mixed = List.of(
                new ChainResult(0, 0, 10, 1, 0, new double[] {0.1, 0.1}, 0, Double.NaN, false, 2, 0, List.of()),
                new ChainResult(1, 0, 10, 2, 0, new double[] {Double.NaN}, 0, Double.NaN, true, 1, 0,
                        List.of("chain 1 diverged at step 1")));
        LlcResult partial = LlcEstimator.estimate(mixed);
        assertEquals(1.0, partial.mean(), 1e-12);
        assertTrue(partial.diagnostics().contains("chain 1 diverged at step 1"));
    }

    @Test
    void tooLargeAStepShowsInTheAcceptance() {
        Quadratic model = Quadratic.regular(50, 10_000);
        double nBeta = SgldSettings.defaultNBeta(10_000);
        SgldSettings s = new SgldSettings(1.5 / nBeta, 1, Double.NaN, Integer.MAX_VALUE, 2, 2000, 500, 1, 3L,
                Preconditioner.NONE, 1);
        LlcResult r = LlcEstimator.estimate(new SgldSampler(2).sample(model, s).chains());
        assertTrue(r.diagnostics().stream().anyMatch(d -> d.startsWith("MALA acceptance")), r.diagnostics().toString());
    }
}
