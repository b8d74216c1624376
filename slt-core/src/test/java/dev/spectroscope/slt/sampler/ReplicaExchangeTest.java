package dev.spectroscope.slt.sampler;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spectroscope.slt.testing.Quadratic;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReplicaExchangeTest {

    private static final double[] LADDER = {0.25, 0.5, 1, 2};

    /** Metropolis-adjusted, plain steps, a swap offered after every step: as much exchange as there can be. */
    private static SgldSettings exchanging(int chains, int draws) {
        return new SgldSettings(2e-3, 1, 100, Integer.MAX_VALUE, chains, draws, 2_000, 1, 17L, Preconditioner.NONE, 0,
                true, 1);
    }

    @Test
    void everyRungStillSamplesItsOwnTemperature() {
        // L = ‖w‖²/2 in d = 4 with localization γ = 1: at nβ = s the law is Gaussian with precision s + γ, so
        // E[s·L] = s·d / (2(s + γ)). Swaps on every step would drag each rung towards its neighbours' laws if the
        // acceptance rule were not exactly the one that leaves both invariant (a flipped sign moves low losses
        // to the hot rungs and misses by tens of per cent).
        Quadratic model = Quadratic.regular(4, 1000);
        SgldSampler.Samples samples = new SgldSampler(2).sample(model, exchanging(4, 40_000), LADDER);
        for (int t = 0; t < LADDER.length; t++) {
            double s = 100 * LADDER[t];
            double exact = s * 4 / (2 * (s + 1));
            List<ChainResult> rung = samples.atTemperature(t);
            double mean = rung.stream().mapToDouble(ChainResult::llc).average().orElseThrow();
            assertEquals(exact, mean, 0.04 * exact, "rung at nβ " + s);
            if (t < LADDER.length - 1) {
                // The next rung's swap share: hotter rungs sit lower on the ladder.
                double share = samples.atTemperature(t + 1).get(0).swapAcceptance();
                assertTrue(share > 0.2 && share < 1, "swaps between nβ " + s + " and " + 2 * s + ": " + share);
            } else {
                assertTrue(Double.isNaN(samples.atTemperature(0).get(0).swapAcceptance()), "the hottest rung has no "
                        + "hotter neighbour");
            }
        }
    }

    @Test
    void sameSeedSameExchangeWhateverTheThreadCount() {
        Quadratic model = Quadratic.regular(3, 1000);
        SgldSettings s = exchanging(3, 500).withExchangeEvery(7);
        SgldSampler.Samples one = new SgldSampler(1).sample(model, s, LADDER);
        SgldSampler.Samples two = new SgldSampler(2).sample(model, s, LADDER);
        assertEquals(LADDER.length * 3, one.chains().size());
        for (int i = 0; i < one.chains().size(); i++) {
            assertArrayEquals(one.chains().get(i).losses(), two.chains().get(i).losses());
            assertEquals(one.chains().get(i).swapAcceptance(), two.chains().get(i).swapAcceptance());
        }
        // Exchange changes the chains: the same seed without it gives other draws on the same rungs.
        SgldSampler.Samples apart = new SgldSampler(2).sample(model, s.withExchangeEvery(0), LADDER);
        assertTrue(Double.isNaN(apart.chains().get(5).swapAcceptance()));
        assertTrue(!java.util.Arrays.equals(apart.chains().get(5).losses(), one.chains().get(5).losses()));
    }
}
