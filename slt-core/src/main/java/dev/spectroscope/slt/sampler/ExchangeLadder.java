package dev.spectroscope.slt.sampler;

/**
 * A temperature ladder for replica exchange, spaced for the energy it has to carry. Near a minimum with learning
 * coefficient λ, s·t (t = L − L*) at inverse temperature s is roughly Gamma(λ)-distributed, so the log-probability
 * of a swap between rungs a factor r apart, (r − 1)(G₁/r − G₂) with G ~ Gamma(λ), has mean −λ(r − 1)²/r and
 * standard deviation (r − 1)·√(λ(1 + 1/r²)). The ratio is chosen so that the mean lies {@link #SWAP_Z} standard
 * deviations below zero, which keeps a quarter to a half of the swaps accepted whatever λ (29–40% under the Gamma
 * model for λ from 3/2 to 100; 21–41% measured on deep linear networks with λ from 3/2 to 47), until the spacing
 * reaches {@link #MAX_RATIO}: a large λ needs rungs close together, a small one can have them far apart.
 */
public final class ExchangeLadder {

    /** How many standard deviations below zero a swap's mean log-probability sits. */
    static final double SWAP_Z = 0.89;
    /** The widest spacing: beyond it a swap rarely carries a position far enough to matter. */
    public static final double MAX_RATIO = 4;

    private ExchangeLadder() {
    }

    /** The spacing r with (r − 1)/√(r² + 1) = SWAP_Z/√λ, at most {@link #MAX_RATIO}. */
    public static double ratioFor(double lambda) {
        if (!(lambda > 0) || Double.isInfinite(lambda)) {
            throw new IllegalArgumentException("a ladder is spaced for a positive, finite λ, got " + lambda
                    + " (a pilot estimate at or below 0 means the centre is not a minimum)");
        }
        double c = SWAP_Z / Math.sqrt(lambda);
        if (c >= 1) {
            return MAX_RATIO;
        }
        double q = 1 - c * c;
        return Math.min(MAX_RATIO, (1 + Math.sqrt(1 - q * q)) / q);
    }

    /** Multipliers 1, r, r², …, r^(rungs−1) of a base nβ: the base is the hottest rung. */
    public static double[] colderFrom(double lambda, int rungs) {
        if (rungs < 2) {
            throw new IllegalArgumentException("an exchange ladder needs at least two rungs, got " + rungs);
        }
        double r = ratioFor(lambda);
        double[] ladder = new double[rungs];
        for (int k = 0; k < rungs; k++) {
            ladder[k] = Math.pow(r, k);
        }
        return ladder;
    }
}
