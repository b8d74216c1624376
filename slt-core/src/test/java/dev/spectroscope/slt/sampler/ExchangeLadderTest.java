package dev.spectroscope.slt.sampler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.apache.commons.math3.distribution.GammaDistribution;
import org.apache.commons.math3.random.JDKRandomGenerator;
import org.junit.jupiter.api.Test;

class ExchangeLadderTest {

    /** The share of swaps accepted between rungs a factor r apart when s·t ~ Gamma(λ) on both. */
    private static double simulatedSwapAcceptance(double lambda, double r, int trials) {
        JDKRandomGenerator random = new JDKRandomGenerator(42);
        GammaDistribution energy = new GammaDistribution(random, lambda, 1);
        SplittableRandom u = new SplittableRandom(7);
        double accepted = 0;
        for (int i = 0; i < trials; i++) {
            double cold = energy.sample() / r; // s·t at the cold rung is Gamma(λ); t there is that over r·s
            double hot = energy.sample();
            double logAlpha = (r - 1) * (cold - hot);
            accepted += logAlpha >= 0 ? 1 : Math.exp(logAlpha);
        }
        return accepted / trials;
    }

    @Test
    void theSpacingKeepsAQuarterToAHalfOfTheSwapsWhateverLambda() {
        for (double lambda : new double[] {1.5, 4, 10, 37.5, 100}) {
            double r = ExchangeLadder.ratioFor(lambda);
            double share = simulatedSwapAcceptance(lambda, r, 200_000);
            assertTrue(share > 0.25 && share < 0.5, "λ " + lambda + ": r " + r + " accepts " + share);
        }
        // A fixed factor 4 between rungs works for small λ only.
        assertTrue(simulatedSwapAcceptance(37.5, 4, 200_000) < 0.01);
    }

    @Test
    void smallLambdasGetTheWidestSpacingAndLargeOnesCloseRungs() {
        assertEquals(ExchangeLadder.MAX_RATIO, ExchangeLadder.ratioFor(0.25));
        assertEquals(1.23, ExchangeLadder.ratioFor(37.5), 0.01);
        double[] ladder = ExchangeLadder.colderFrom(37.5, 4);
        assertEquals(1.0, ladder[0]);
        assertEquals(Math.pow(ExchangeLadder.ratioFor(37.5), 3), ladder[3], 1e-12);
    }

    @Test
    void aPilotThatIsNotPositiveIsAClearError() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ExchangeLadder.ratioFor(-0.2));
        assertTrue(e.getMessage().contains("not a minimum"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ExchangeLadder.colderFrom(2, 1));
    }
}
