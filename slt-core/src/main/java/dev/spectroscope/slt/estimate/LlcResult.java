package dev.spectroscope.slt.estimate;

import java.util.List;

/**
 * A local learning coefficient estimate λ̂ = nβ·(E[L_n(w)] − L_n(w*)) with what it rests on.
 *
 * @param mean                mean of the per-chain estimates (over chains that did not diverge)
 * @param std                 sample standard deviation across those chains (0 with one chain)
 * @param perChain            each chain's estimate, NaN for a diverged chain
 * @param meanTrace           per draw, nβ·(L − L*) averaged across chains: the trace to plot
 * @param centerLoss          L_n(w*)
 * @param nBeta               the inverse temperature times n
 * @param fractionBelowCenter fraction of all draws whose loss fell below L_n(w*)
 * @param malaAcceptance      mean MALA acceptance across chains, NaN if not measured
 * @param draws               draws per chain
 * @param diagnostics         warnings, each saying what is wrong and what to change
 */
public record LlcResult(double mean, double std, double[] perChain, double[] meanTrace, double centerLoss,
                        double nBeta, double fractionBelowCenter, double malaAcceptance, int draws,
                        List<String> diagnostics) {

    public int chains() {
        return perChain.length;
    }
}
