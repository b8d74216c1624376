package dev.spectroscope.slt.reference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spectroscope.slt.model.LossModel;
import dev.spectroscope.slt.model.SymmetryMove;
import dev.spectroscope.slt.sampler.ChainResult;
import dev.spectroscope.slt.sampler.SgldSampler;
import dev.spectroscope.slt.sampler.SgldSettings;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class HiddenBasisChangeTest {

    @Test
    void aBasisChangeKeepsTheLossCarriesTheGradientAndUndoesBitForBit() {
        // Hidden widths 4 and 2 between unequal neighbours, so rescalings have a Jacobian other than 1.
        DeepLinearNetwork dln = new DeepLinearNetwork(new int[] {3, 4, 2, 5}, 1, 10_000, 1.0, 7);
        LossModel.Evaluator e = dln.newEvaluator();
        SymmetryMove move = e.symmetryMove();
        assertEquals(2, move.groups());
        int[] all = IntStream.range(0, dln.sampleCount()).toArray();
        SplittableRandom random = new SplittableRandom(5);
        double[] w = dln.center();
        for (int i = 0; i < w.length; i++) {
            w[i] += 0.5 * random.nextGaussian();
        }
        int d = w.length;
        double[] g = new double[d];
        double loss = e.lossAndGradient(w, all, all.length, g);
        for (int trial = 0; trial < 100; trial++) {
            double[] before = w.clone();
            double[] gradientBefore = g.clone();
            double logJacobian = move.apply(w, g, 0.4, new SplittableRandom(trial));
            double[] fresh = new double[d];
            assertEquals(loss, e.lossAndGradient(w, all, all.length, fresh), 1e-12 * Math.abs(loss), "trial " + trial);
            for (int i = 0; i < d; i++) {
                assertEquals(fresh[i], g[i], 1e-9 * Math.max(1, Math.abs(fresh[i])), "trial " + trial + ", ∂" + i);
            }
            double distance = 0;
            for (int i = 0; i < d; i++) {
                double now = w[i] - dln.center()[i];
                double was = before[i] - dln.center()[i];
                distance += now * now - was * was;
            }
            assertEquals(distance, move.squaredDistanceChange(w, dln.center()), 1e-9, "trial " + trial);
            assertEquals(logDetOfMove(dln.newEvaluator().symmetryMove(), d, trial), logJacobian, 1e-9,
                    "trial " + trial);
            move.undo(w, g);
            assertArrayEquals(before, w, 0.0, "trial " + trial);
            assertArrayEquals(gradientBefore, g, 0.0, "trial " + trial);
            // Keep the walk going from an accepted move every other trial.
            if (trial % 2 == 0) {
                move.apply(w, g, 0.4, new SplittableRandom(1000 + trial));
                loss = e.lossAndGradient(w, all, all.length, g);
            }
        }
    }

    @Test
    void aNetworkWithNoHiddenLayerOffersNoMove() {
        DeepLinearNetwork one = new DeepLinearNetwork(new int[] {3, 2}, 1, 10_000, 1.0, 7);
        assertNull(one.newEvaluator().symmetryMove());
        assertThrows(IllegalArgumentException.class, () -> new HiddenBasisChange(new int[] {3, 2}, new int[] {0, 6}));
    }

    /**
     * The sampler with basis changes samples the localized posterior itself: dln[1,1,2] rank 0, whose loss
     * depends on w₁·w₂ only, against quadrature of E[nβ(L − L*)] and E‖w − w*‖² over its three parameters. The
     * rescalings w₁ → eᵘw₁, w₂ → e⁻ᵘw₂ carry a Jacobian e⁻ᵘ; a move that leaves it out samples a different
     * distribution along the arms, and the same check must catch it.
     */
    @Test
    void basisChangesKeepTheLocalizedPosterior() {
        DeepLinearNetwork dln = new DeepLinearNetwork(new int[] {1, 1, 2}, 0, 10_000, 1.0, 7);
        double nBeta = 200;
        double gamma = 1;
        double[] exact = quadrature(dln, nBeta, gamma);
        SgldSettings settings = ReferenceDefaults.deepLinearNetwork(7).withNBeta(nBeta).withGamma(gamma)
                .withChains(4).withDraws(60_000, 10_000).withExchangeEvery(0);
        List<ChainResult> chains = new SgldSampler(2).sample(dln, settings).chains();
        double[] sampled = moments(chains);
        for (ChainResult c : chains) {
            assertTrue(Math.abs(c.symmetryAcceptance() - 0.4) < 0.1, "steered to 0.4: " + c.symmetryAcceptance());
        }
        assertEquals(exact[0], sampled[0], 0.04 * exact[0], "E[nβ(L − L*)]");
        assertEquals(exact[1], sampled[1], 0.04 * exact[1], "E‖w − w*‖²");

        double[] withoutJacobian = moments(new SgldSampler(2).sample(new NoJacobian(dln), settings).chains());
        assertTrue(Math.abs(withoutJacobian[1] - exact[1]) > 0.12 * exact[1],
                "a move without its Jacobian: E‖w − w*‖² " + withoutJacobian[1] + ", exact " + exact[1]);
    }

    /** The mean over chains of the LLC and of ‖w − w*‖². */
    private static double[] moments(List<ChainResult> chains) {
        return new double[] {chains.stream().mapToDouble(ChainResult::llc).average().orElseThrow(),
                chains.stream().mapToDouble(ChainResult::meanSquaredDistance).average().orElseThrow()};
    }

    /** E[nβ(L − L*)] and E‖w − w*‖² under exp(−nβ(L − L*) − γ‖w − w*‖²/2), on a grid over [−7, 7]³. */
    private static double[] quadrature(DeepLinearNetwork dln, double nBeta, double gamma) {
        LossModel.Evaluator e = dln.newEvaluator();
        double[] c = dln.center();
        double centre = e.fullLoss(c);
        int points = 281;
        double h = 14.0 / (points - 1);
        double z = 0;
        double energy = 0;
        double distance = 0;
        double[] w = new double[3];
        for (int a = 0; a < points; a++) {
            for (int b = 0; b < points; b++) {
                for (int k = 0; k < points; k++) {
                    w[0] = c[0] - 7 + a * h;
                    w[1] = c[1] - 7 + b * h;
                    w[2] = c[2] - 7 + k * h;
                    double t = nBeta * (e.fullLoss(w) - centre);
                    double r = (w[0] - c[0]) * (w[0] - c[0]) + (w[1] - c[1]) * (w[1] - c[1])
                            + (w[2] - c[2]) * (w[2] - c[2]);
                    double p = Math.exp(-t - 0.5 * gamma * r);
                    z += p;
                    energy += p * t;
                    distance += p * r;
                }
            }
        }
        return new double[] {energy / z, distance / z};
    }

    /** log |det| of the move drawn from {@code seed}, from its action on the basis vectors (it is linear in w). */
    private static double logDetOfMove(SymmetryMove move, int d, long seed) {
        double[][] m = new double[d][d];
        double[] scratch = new double[d];
        for (int j = 0; j < d; j++) {
            double[] v = new double[d];
            v[j] = 1;
            move.apply(v, scratch, 0.4, new SplittableRandom(seed));
            for (int i = 0; i < d; i++) {
                m[i][j] = v[i];
            }
        }
        double logDet = 0;
        for (int p = 0; p < d; p++) {
            int best = p;
            for (int r = p + 1; r < d; r++) {
                if (Math.abs(m[r][p]) > Math.abs(m[best][p])) {
                    best = r;
                }
            }
            double[] t = m[p];
            m[p] = m[best];
            m[best] = t;
            logDet += Math.log(Math.abs(m[p][p]));
            for (int r = p + 1; r < d; r++) {
                double f = m[r][p] / m[p][p];
                for (int k = p; k < d; k++) {
                    m[r][k] -= f * m[p][k];
                }
            }
        }
        return logDet;
    }

    /** The same network, its basis changes reporting a Jacobian of 1: what a careless symmetry would do. */
    private record NoJacobian(DeepLinearNetwork dln) implements LossModel {
        @Override
        public int dimension() {
            return dln.dimension();
        }

        @Override
        public int sampleCount() {
            return dln.sampleCount();
        }

        @Override
        public double[] center() {
            return dln.center();
        }

        @Override
        public String describe() {
            return dln.describe() + " without the Jacobian";
        }

        @Override
        public Evaluator newEvaluator() {
            Evaluator inner = dln.newEvaluator();
            SymmetryMove move = inner.symmetryMove();
            SymmetryMove careless = new SymmetryMove() {
                @Override
                public double apply(double[] w, double[] gradient, double scale, SplittableRandom random) {
                    move.apply(w, gradient, scale, random);
                    return 0;
                }

                @Override
                public double squaredDistanceChange(double[] w, double[] center) {
                    return move.squaredDistanceChange(w, center);
                }

                @Override
                public void undo(double[] w, double[] gradient) {
                    move.undo(w, gradient);
                }
            };
            return new Evaluator() {
                @Override
                public double lossAndGradient(double[] w, int[] batch, int size, double[] gradient) {
                    return inner.lossAndGradient(w, batch, size, gradient);
                }

                @Override
                public double loss(double[] w, int[] batch, int size) {
                    return inner.loss(w, batch, size);
                }

                @Override
                public double fullLoss(double[] w) {
                    return inner.fullLoss(w);
                }

                @Override
                public SymmetryMove symmetryMove() {
                    return careless;
                }
            };
        }
    }
}
