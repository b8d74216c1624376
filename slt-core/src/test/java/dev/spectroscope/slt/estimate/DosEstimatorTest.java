package dev.spectroscope.slt.estimate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spectroscope.slt.sampler.ChainResult;
import dev.spectroscope.slt.sampler.Preconditioner;
import dev.spectroscope.slt.sampler.SgldSampler;
import dev.spectroscope.slt.sampler.SgldSettings;
import dev.spectroscope.slt.testing.Quadratic;
import java.util.List;
import org.junit.jupiter.api.Test;

class DosEstimatorTest {

    @Test
    void selectFindsTheSameOrderStatisticsAsASort() {
        java.util.SplittableRandom random = new java.util.SplittableRandom(9);
        for (int trial = 0; trial < 200; trial++) {
            double[] a = new double[1 + random.nextInt(300)];
            for (int i = 0; i < a.length; i++) {
                a[i] = random.nextInt(5) == 0 ? 1.0 : random.nextGaussian(); // with ties
            }
            double[] sorted = a.clone();
            java.util.Arrays.sort(sorted);
            int k = random.nextInt(a.length);
            org.junit.jupiter.api.Assertions.assertEquals(sorted[k], DosEstimator.select(a.clone(), k));
        }
    }

    @Test
    void orderStatisticsNearTheEndsMatchASort() {
        java.util.SplittableRandom random = new java.util.SplittableRandom(11);
        for (int trial = 0; trial < 500; trial++) {
            // Sizes on both sides of the running-tail limit, with ties, sorted and reversed inputs among them.
            double[] a = new double[1 + random.nextInt(trial % 5 == 0 ? 20_000 : 900)];
            for (int i = 0; i < a.length; i++) {
                a[i] = random.nextInt(4) == 0 ? 0.5 : Math.exp(random.nextGaussian());
            }
            if (trial % 7 == 1) {
                java.util.Arrays.sort(a);
            } else if (trial % 7 == 2) {
                java.util.Arrays.sort(a);
                for (int i = 0; i < a.length / 2; i++) {
                    double t = a[i];
                    a[i] = a[a.length - 1 - i];
                    a[a.length - 1 - i] = t;
                }
            }
            double[] sorted = a.clone();
            java.util.Arrays.sort(sorted);
            int low = (int) (0.01 * a.length);
            int high = Math.max(low, (int) (0.99 * (a.length - 1)));
            double[] got = DosEstimator.orderStatistics(a.clone(), low, high);
            assertEquals(sorted[low], got[0], "low, n = " + a.length);
            assertEquals(sorted[high], got[1], "high, n = " + a.length);
        }
    }

    @Test
    void aDrawFallsInTheBinASearchOfTheEdgesFinds() {
        java.util.SplittableRandom random = new java.util.SplittableRandom(12);
        for (int trial = 0; trial < 200; trial++) {
            double logLo = Math.log(1e-9 + random.nextDouble());
            double width = (1e-6 + random.nextDouble() * 10) / 40;
            double[] edges = new double[41];
            for (int b = 0; b <= 40; b++) {
                edges[b] = Math.exp(logLo + b * width);
            }
            for (int i = 0; i < 2_000; i++) {
                // Edges themselves and their neighbouring doubles, where a rounded logarithm could err.
                double t = i % 3 == 0 ? edges[random.nextInt(40)]
                        : i % 3 == 1 ? Math.nextDown(edges[1 + random.nextInt(40)])
                        : Math.exp(logLo + random.nextDouble() * 40 * width);
                if (!(t >= edges[0] && t < edges[40])) {
                    continue;
                }
                int searched = java.util.Arrays.binarySearch(edges, t);
                searched = searched >= 0 ? searched : -searched - 2;
                assertEquals(searched, DosEstimator.bin(edges, t, logLo, width), "t = " + t);
            }
        }
    }

    @Test
    void theLineFitRecoversInterceptAndSlope() {
        // y = λ − (m−1)/(log s − ψ(λ)) exactly, with λ = 3 and m = 2: the shift is found along with λ.
        double[] s = {100, 1_000, 10_000, 100_000};
        double[] y = new double[s.length];
        double[] se = {0.1, 0.1, 0.1, 0.1};
        for (int k = 0; k < s.length; k++) {
            y[k] = 3 - 1 / (Math.log(s[k]) - org.apache.commons.math3.special.Gamma.digamma(3));
        }
        DosEstimator.Line fit = DosEstimator.weightedLine(s, y, se);
        assertEquals(3.0, fit.intercept(), 1e-9);
        assertEquals(-1.0, fit.slope(), 1e-9);
        assertTrue(fit.interceptStderr() > 0 && fit.slopeStderr() > 0);
        double viaWeights = 0;
        for (int k = 0; k < s.length; k++) {
            viaWeights += fit.interceptWeights()[k] * y[k];
        }
        assertEquals(fit.intercept(), viaWeights, 1e-9);
    }

    /** Rungs whose LLC falls towards the cold end would give m below 1; the line is held at m = 1 instead. */
    @Test
    void aLineThatWouldPutMBelowOneIsHeldAtOne() {
        double[] s = {1e4, 1e5, 1e6, 1e7, 1e8};
        List<ChainResult> chains = new java.util.ArrayList<>();
        for (int k = 0; k < s.length; k++) {
            for (int c = 0; c < 3; c++) {
                double llc = 2.8 - 0.2 * k + 0.05 * (c - 1); // falling with s; chains ±0.05 apart
                double[] losses = {llc / s[k], llc / s[k]};
                chains.add(new ChainResult(c, k, s[k], c, 0, losses, 0, Double.NaN, false, 2, 1, List.of()));
            }
        }
        DosResult dos = DosEstimator.estimate(new SgldSampler.Samples(0, s, chains), 0);
        assertEquals(1.0, dos.multiplicity(), 0.0);
        assertTrue(dos.lambda() > 2.0 && dos.lambda() < 2.8, "the rungs' mean, not an extrapolation: " + dos.lambda());
        assertTrue(dos.diagnostics().stream().anyMatch(d -> d.contains("below 1")), dos.diagnostics().toString());
        assertTrue(dos.lambdaAcrossChains() > 0.03 && dos.lambdaAcrossChains() < 0.07,
                "the chains' spread: " + dos.lambdaAcrossChains());
    }

    @Test
    void aRegularModelHasLambdaHalfDAndMultiplicityOne() {
        // For a quadratic, s·E_s[t] = d/2 at every temperature and v(t) ∝ t^(d/2 − 1): both reads give d/2.
        int d = 8;
        int n = 100_000;
        Quadratic model = Quadratic.regular(d, n);
        double nBeta = SgldSettings.defaultNBeta(n);
        SgldSettings s = new SgldSettings(0.02 / nBeta, 0.01, Double.NaN, Integer.MAX_VALUE, 4, 20_000, 5_000, 1,
                11L, Preconditioner.NONE, 0);
        SgldSampler.Samples samples = new SgldSampler(2).sample(model, s, new double[] {0.001, 0.01, 0.1, 1, 10});
        DosResult dos = DosEstimator.estimate(samples, 0.01);
        assertEquals(d / 2.0, dos.lambda(), 0.5, "λ " + dos.lambda() + " ± " + dos.lambdaStderr());
        assertEquals(1.0, dos.multiplicity(), 0.5, "m " + dos.multiplicity() + " ± " + dos.multiplicityStderr());
        assertEquals(d / 2.0, dos.curveLambda(), 0.8, "curve λ " + dos.curveLambda());
        assertFalse(dos.localizationDominated(), dos.diagnostics().toString());
        for (int k = 1; k < dos.logDensity().length; k++) {
            assertTrue(dos.logDensityT()[k] > dos.logDensityT()[k - 1]);
        }
    }

    @Test
    void localizationThatDominatesIsReported() {
        // γ far above nβ·curvature: the prior, not the loss, sets the spread.
        Quadratic model = Quadratic.regular(4, 1000);
        SgldSettings s = new SgldSettings(1e-4, 1e4, 1.0, Integer.MAX_VALUE, 2, 1000, 1000, 1, 3L,
                Preconditioner.NONE, 0);
        DosResult dos = DosEstimator.estimate(new SgldSampler(2).sample(model, s, new double[] {1, 2}), 1e4);
        assertTrue(dos.localizationDominated());
        assertTrue(dos.diagnostics().stream().anyMatch(x -> x.contains("localization term")), dos.diagnostics()
                .toString());
    }
}
