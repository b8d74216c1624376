package dev.spectroscope.slt.estimate;

import dev.spectroscope.slt.model.LossModel;
import dev.spectroscope.slt.sampler.SgldSampler;
import dev.spectroscope.slt.sampler.SgldSettings;

/**
 * The calibration sweep of SCIENCE.md §2: λ̂ over a grid of step sizes ε × inverse temperatures nβ. A
 * good setting lies where λ̂ is flat in both — it changes little when ε or nβ moves one grid step — and
 * the chains are healthy (none diverged, MALA acceptance at least 0.8).
 */
public final class Calibration {

    /** Two neighbouring cells within this relative difference count as flat. */
    static final double FLAT = 0.10;

    private Calibration() {
    }

    /**
     * @param lambda     λ̂ per [ε index][nβ index]
     * @param acceptance MALA acceptance per cell
     * @param flat       whether each cell is in the flat, healthy region
     * @param recommendedEpsilon index of the recommended ε, or -1 when no cell qualifies
     * @param recommendedNBeta   index of the recommended nβ multiplier, or -1
     */
    public record Grid(double[] epsilons, double[] nBetaMultipliers, double baseNBeta, double[][] lambda,
                       double[][] acceptance, boolean[][] flat, int recommendedEpsilon, int recommendedNBeta) {
    }

    public static Grid sweep(LossModel model, SgldSettings base, double[] epsilons, double[] multipliers,
                             int threads) {
        return sweep(model, base, epsilons, multipliers, new double[] {1.0}, threads);
    }

    /**
     * The same where the family samples a ladder (with replica exchange): each cell samples the whole ladder with
     * its cell's nβ as the rung at multiplier 1, and λ̂ is that rung's.
     */
    public static Grid sweep(LossModel model, SgldSettings base, double[] epsilons, double[] multipliers,
                             double[] ladder, int threads) {
        int own = -1;
        for (int t = 0; t < ladder.length; t++) {
            if (ladder[t] == 1.0) {
                own = t;
            }
        }
        if (own < 0) {
            throw new IllegalArgumentException("the ladder " + java.util.Arrays.toString(ladder) + " has no rung at 1");
        }
        double baseNBeta = base.nBetaFor(model.sampleCount());
        double[][] lambda = new double[epsilons.length][multipliers.length];
        double[][] acceptance = new double[epsilons.length][multipliers.length];
        boolean[][] healthy = new boolean[epsilons.length][multipliers.length];
        SgldSampler sampler = new SgldSampler(threads);
        for (int i = 0; i < epsilons.length; i++) {
            for (int j = 0; j < multipliers.length; j++) {
                SgldSettings s = base.withEpsilon(epsilons[i]).withNBeta(baseNBeta * multipliers[j]);
                LlcResult r = LlcEstimator.estimate(sampler.sample(model, s, ladder).atTemperature(own));
                lambda[i][j] = r.mean();
                acceptance[i][j] = r.malaAcceptance();
                boolean diverged = r.diagnostics().stream().anyMatch(d -> d.contains("diverged"));
                healthy[i][j] = !diverged && Double.isFinite(r.mean()) && r.mean() > 0
                        && !(r.malaAcceptance() < LlcEstimator.LOW_ACCEPTANCE);
            }
        }
        boolean[][] flat = new boolean[epsilons.length][multipliers.length];
        for (int i = 0; i < epsilons.length; i++) {
            for (int j = 0; j < multipliers.length; j++) {
                flat[i][j] = healthy[i][j] && close(lambda, healthy, i, j, i - 1, j) && close(lambda, healthy, i, j, i + 1, j)
                        && close(lambda, healthy, i, j, i, j - 1) && close(lambda, healthy, i, j, i, j + 1);
            }
        }
        // Prefer the default temperature, then the one nearest it; at that temperature, the largest flat ε
        // (it mixes fastest).
        int bestI = -1;
        int bestJ = -1;
        double bestDistance = Double.POSITIVE_INFINITY;
        for (int j = 0; j < multipliers.length; j++) {
            double distance = Math.abs(Math.log(multipliers[j]));
            for (int i = epsilons.length - 1; i >= 0; i--) {
                if (flat[i][j]) {
                    if (distance < bestDistance || distance == bestDistance && epsilons[i] > epsilons[bestI]) {
                        bestDistance = distance;
                        bestI = i;
                        bestJ = j;
                    }
                    break;
                }
            }
        }
        return new Grid(epsilons.clone(), multipliers.clone(), baseNBeta, lambda, acceptance, flat, bestI, bestJ);
    }

    /** A neighbour outside the grid does not count against flatness; an unhealthy one does. */
    private static boolean close(double[][] lambda, boolean[][] healthy, int i, int j, int ni, int nj) {
        if (ni < 0 || nj < 0 || ni >= lambda.length || nj >= lambda[0].length) {
            return true;
        }
        if (!healthy[ni][nj]) {
            return false;
        }
        return Math.abs(lambda[i][j] - lambda[ni][nj]) <= FLAT * Math.abs(lambda[i][j]);
    }
}
