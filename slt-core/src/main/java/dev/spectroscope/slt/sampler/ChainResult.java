package dev.spectroscope.slt.sampler;

import java.util.List;

/**
 * What one chain produced.
 *
 * @param chainIndex        index within its temperature
 * @param temperatureIndex  index in the ladder
 * @param nBeta             the inverse temperature times n it sampled at
 * @param seed              its own seed
 * @param centerLoss        L_n(w*)
 * @param losses            minibatch loss of each recorded draw (before that step's update)
 * @param meanSquaredDistance mean of ‖w − w*‖² over the recorded draws (for the localization diagnostic)
 * @param malaAcceptance    mean MALA acceptance probability over the measured steps, NaN if none measured
 * @param diverged          true when the chain met a NaN or infinite loss and stopped
 * @param stepsRun          SGLD steps taken
 * @param elapsedNanos      wall time of the chain
 * @param notes             what the sampler noticed about this chain
 * @param swapAcceptance    with replica exchange, the share of offered swaps with the next hotter rung that were
 *                          accepted after burn-in; NaN on the hottest rung and without exchange
 * @param adjusted          whether every step was accepted or rejected by its Metropolis probability (then the
 *                          acceptance measures speed, not bias)
 * @param symmetryAcceptance mean acceptance of the symmetry moves offered after burn-in; NaN where none were
 */
public record ChainResult(int chainIndex, int temperatureIndex, double nBeta, long seed, double centerLoss,
                          double[] losses, double meanSquaredDistance, double malaAcceptance, boolean diverged,
                          long stepsRun, long elapsedNanos, List<String> notes, double swapAcceptance,
                          boolean adjusted, double symmetryAcceptance) {

    /** A chain that offered no symmetry moves. */
    public ChainResult(int chainIndex, int temperatureIndex, double nBeta, long seed, double centerLoss,
                       double[] losses, double meanSquaredDistance, double malaAcceptance, boolean diverged,
                       long stepsRun, long elapsedNanos, List<String> notes, double swapAcceptance,
                       boolean adjusted) {
        this(chainIndex, temperatureIndex, nBeta, seed, centerLoss, losses, meanSquaredDistance, malaAcceptance,
                diverged, stepsRun, elapsedNanos, notes, swapAcceptance, adjusted, Double.NaN);
    }

    /** An unadjusted chain. */
    public ChainResult(int chainIndex, int temperatureIndex, double nBeta, long seed, double centerLoss,
                       double[] losses, double meanSquaredDistance, double malaAcceptance, boolean diverged,
                       long stepsRun, long elapsedNanos, List<String> notes, double swapAcceptance) {
        this(chainIndex, temperatureIndex, nBeta, seed, centerLoss, losses, meanSquaredDistance, malaAcceptance,
                diverged, stepsRun, elapsedNanos, notes, swapAcceptance, false);
    }

    /** A chain that took part in no replica exchange. */
    public ChainResult(int chainIndex, int temperatureIndex, double nBeta, long seed, double centerLoss,
                       double[] losses, double meanSquaredDistance, double malaAcceptance, boolean diverged,
                       long stepsRun, long elapsedNanos, List<String> notes) {
        this(chainIndex, temperatureIndex, nBeta, seed, centerLoss, losses, meanSquaredDistance, malaAcceptance,
                diverged, stepsRun, elapsedNanos, notes, Double.NaN);
    }

    /** This chain's LLC estimate nβ·(mean draw loss − L_n(w*)); NaN when it diverged or recorded nothing. */
    public double llc() {
        if (diverged || losses.length == 0) {
            return Double.NaN;
        }
        double sum = 0;
        for (double l : losses) {
            sum += l;
        }
        return nBeta * (sum / losses.length - centerLoss);
    }
}
