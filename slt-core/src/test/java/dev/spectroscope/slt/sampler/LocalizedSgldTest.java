package dev.spectroscope.slt.sampler;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spectroscope.slt.testing.Quadratic;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class LocalizedSgldTest {

    private static SgldSettings settings(double epsilon, double gamma, double nBeta, int draws, int burnIn) {
        return new SgldSettings(epsilon, gamma, nBeta, Integer.MAX_VALUE, 2, draws, burnIn, 1, 1234L,
                Preconditioner.NONE, 0);
    }

    @Test
    void oneStepIsTheUpdateRuleByHand() {
        // L(w) = 2 (w − 3)² / 2 on one coordinate, centre w* = 1 (not the minimum, so the gradient is not zero).
        Quadratic model = new Quadratic(new double[] {2.0}, new double[] {3.0}, new double[] {1.0}, 100, Long.MAX_VALUE);
        double eps = 0.01;
        double gamma = 5;
        double nBeta = 7;
        SgldSettings s = settings(eps, gamma, nBeta, 2, 0);
        ChainResult chain = new LocalizedSgld(model, s).run(model.newEvaluator(), model.center(), 4.0, nBeta, 0, 0);

        double w0 = 1.0;
        double z = new SplittableRandom(LocalizedSgld.chainSeed(1234L, 0, 0)).nextGaussian();
        double gradient = 2.0 * (w0 - 3.0);
        double w1 = w0 - eps / 2 * (nBeta * gradient + gamma * (w0 - 1.0)) + Math.sqrt(eps) * z;
        assertEquals(0.5 * 2.0 * (w0 - 3) * (w0 - 3), chain.losses()[0], 1e-15, "draw 0 is the loss before the step");
        assertEquals(0.5 * 2.0 * (w1 - 3) * (w1 - 3), chain.losses()[1], 1e-12, "draw 1 is the loss after one step");
        assertEquals(2, chain.stepsRun());
    }

    @Test
    void localizationPullsTowardsTheCentre() {
        // With no loss gradient (flat loss), the drift is γ(w − w*) alone: the chain is an OU process around w*
        // with stationary variance 1/γ per coordinate (to first order in ε).
        Quadratic flat = new Quadratic(new double[] {0, 0, 0, 0}, new double[4], new double[] {1, 2, 3, 4}, 10,
                Long.MAX_VALUE);
        SgldSettings s = settings(1e-3, 4.0, 1.0, 200_000, 2_000);
        ChainResult chain = new LocalizedSgld(flat, s).run(flat.newEvaluator(), flat.center(), 0, 1.0, 0, 0);
        assertEquals(4 * 0.25, chain.meanSquaredDistance(), 0.1, "E‖w − w*‖² = d/γ");
    }

    @Test
    void sameSeedSameChainsWhateverTheThreadCount() {
        Quadratic model = Quadratic.regular(6, 1000);
        SgldSettings s = new SgldSettings(1e-3, 1, Double.NaN, 10, 3, 200, 100, 1, 99L, Preconditioner.NONE, 5);
        SgldSampler.Samples one = new SgldSampler(1).sample(model, s, new double[] {1, 2});
        SgldSampler.Samples two = new SgldSampler(2).sample(model, s, new double[] {1, 2});
        assertEquals(one.chains().size(), two.chains().size());
        for (int i = 0; i < one.chains().size(); i++) {
            assertArrayEquals(one.chains().get(i).losses(), two.chains().get(i).losses());
            assertEquals(one.chains().get(i).malaAcceptance(), two.chains().get(i).malaAcceptance());
        }
        SgldSampler.Samples other = new SgldSampler(2).sample(model, s.withSeed(100L), new double[] {1, 2});
        assertFalse(java.util.Arrays.equals(one.chains().get(0).losses(), other.chains().get(0).losses()));
        // Every chain has its own stream.
        assertFalse(java.util.Arrays.equals(one.chains().get(0).losses(), one.chains().get(1).losses()));
    }

    @Test
    void aNanLossStopsThatChainWithADiagnosticNotTheProcess() {
        Quadratic model = new Quadratic(new double[] {1}, new double[1], new double[1], 100, 50);
        SgldSettings s = settings(1e-3, 1, 10, 100, 100);
        ChainResult chain = new LocalizedSgld(model, s).run(model.newEvaluator(), model.center(), 0, 10, 0, 0);
        assertTrue(chain.diverged());
        assertEquals(50, chain.stepsRun());
        assertTrue(chain.notes().get(0).contains("diverged at step 50"), chain.notes().toString());
        assertTrue(Double.isNaN(chain.llc()));
    }

    @Test
    void aStepSizeThatDivergesIsReported() {
        // ε·nβ·a = 0.5·100·1 = 50 ≫ 2: the update overshoots and grows without bound until the loss overflows.
        Quadratic model = Quadratic.regular(2, 100);
        SgldSettings s = settings(0.5, 1, 100, 2000, 0);
        ChainResult chain = new LocalizedSgld(model, s).run(model.newEvaluator(), model.center(), 0, 100, 0, 0);
        assertTrue(chain.diverged(), "stepsRun " + chain.stepsRun());
        assertTrue(chain.notes().get(0).contains("lower epsilon"), chain.notes().toString());
    }

    @Test
    void malaAcceptanceIsNearOneForSmallStepsAndFallsForLargeOnes() {
        Quadratic model = Quadratic.regular(10, 1000);
        SgldSettings small = new SgldSettings(1e-5, 1, 100, Integer.MAX_VALUE, 1, 2000, 500, 1, 5L,
                Preconditioner.NONE, 1);
        SgldSettings large = small.withEpsilon(1.5e-2);
        double accSmall = new LocalizedSgld(model, small).run(model.newEvaluator(), model.center(), 0, 100, 0, 0)
                .malaAcceptance();
        double accLarge = new LocalizedSgld(model, large).run(model.newEvaluator(), model.center(), 0, 100, 0, 0)
                .malaAcceptance();
        assertTrue(accSmall > 0.99, "small ε acceptance " + accSmall);
        assertTrue(accLarge < accSmall - 0.2, "large ε acceptance " + accLarge);
    }

    @Test
    void metropolisAdjustedStepsSampleTheGaussianExactlyWhereUnadjustedOnesDoNot() {
        // U = nβ·‖w‖²/2 + γ‖w‖²/2 with a = nβ + γ = 101 per coordinate: the exact law has E[nβ·L] = nβ·d/(2a).
        // Unadjusted steps of ε have variance 1/(a(1 − εa/4)) instead: at εa ≈ 1.5, 61% too wide.
        Quadratic model = Quadratic.regular(10, 1000);
        SgldSettings unadjusted = new SgldSettings(1.5e-2, 1, 100, Integer.MAX_VALUE, 1, 40_000, 2_000, 1, 5L,
                Preconditioner.NONE, 0);
        double exact = 100 * 10 / (2.0 * 101);
        double biased = exact / (1 - 1.5e-2 * 101 / 4);
        ChainResult plain = new LocalizedSgld(model, unadjusted).run(model.newEvaluator(), model.center(), 0, 100, 0, 0);
        ChainResult adjusted = new LocalizedSgld(model, unadjusted.withMetropolis(true))
                .run(model.newEvaluator(), model.center(), 0, 100, 0, 0);
        assertEquals(biased, plain.llc(), 0.1 * biased, "unadjusted: the discretization's own law");
        assertEquals(exact, adjusted.llc(), 0.06 * exact, "adjusted: the exact law");
        assertTrue(adjusted.malaAcceptance() > 0.2 && adjusted.malaAcceptance() < 0.95,
                "acceptance " + adjusted.malaAcceptance());
    }

    @Test
    void badSettingsNameTheKey() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new SgldSettings(-1, 1, Double.NaN, 1, 1, 1, 0, 1, 0, Preconditioner.NONE, 0));
        assertTrue(e.getMessage().startsWith("epsilon"));
        e = assertThrows(IllegalArgumentException.class,
                () -> new SgldSettings(1e-4, 1, Double.NaN, 1, 0, 1, 0, 1, 0, Preconditioner.NONE, 0));
        assertTrue(e.getMessage().startsWith("chains"));
        SgldSettings unadjusted = new SgldSettings(1e-4, 1, Double.NaN, 1, 1, 1, 0, 1, 0, Preconditioner.NONE, 0);
        e = assertThrows(IllegalArgumentException.class, () -> unadjusted.withSymmetryMoves(4));
        assertTrue(e.getMessage().startsWith("symmetry moves"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> unadjusted.withMetropolis(true).withSymmetryMoves(-1));
        assertTrue(e.getMessage().startsWith("symmetryMoves"), e.getMessage());
        assertEquals(List.of(Preconditioner.RMSPROP), List.of(Preconditioner.fromAlgorithm("rmsprop-sgld")));
        assertThrows(IllegalArgumentException.class, () -> Preconditioner.fromAlgorithm("hmc"));
    }
}
