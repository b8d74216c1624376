package dev.spectroscope.slt.estimate;

import dev.spectroscope.slt.sampler.ChainResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The LLC estimator of SCIENCE.md §2 over the chains of one temperature, with the diagnostics that make
 * it trustworthy: negative estimates, draws below the centre, non-stationary or diverged chains, MALA
 * acceptance out of range, chains that disagree.
 */
public final class LlcEstimator {

    /** A chain whose first and last thirds differ by more standard errors than this is not stationary. */
    static final double STATIONARITY_Z = 4.0;
    // Measured along the SGLD chain itself (which is never rejected), the acceptance stays near 0.5 even for
    // step sizes that blow the estimate up, so the warning starts well above that: 0.8 already means a bias
    // of ten per cent or more on a quadratic.
    static final double LOW_ACCEPTANCE = 0.8;
    // Metropolis-adjusted chains are exact at any acceptance; below this share they move too little to trust
    // the draws' count.
    static final double LOW_ADJUSTED_ACCEPTANCE = 0.25;
    static final double HIGH_ACCEPTANCE = 0.9995;
    static final double BELOW_CENTER_WARNING = 0.25;

    private LlcEstimator() {
    }

    public static LlcResult estimate(List<ChainResult> chains) {
        if (chains.isEmpty()) {
            throw new IllegalArgumentException("no chains to estimate from");
        }
        double nBeta = chains.get(0).nBeta();
        double centerLoss = chains.get(0).centerLoss();
        List<String> diagnostics = new ArrayList<>();
        double[] perChain = new double[chains.size()];
        int draws = 0;
        for (ChainResult c : chains) {
            draws = Math.max(draws, c.losses().length);
        }
        double[] traceSum = new double[draws];
        int[] traceCount = new int[draws];
        long below = 0;
        long all = 0;
        double acceptanceSum = 0;
        int acceptanceChains = 0;
        double sum = 0;
        int good = 0;
        for (int i = 0; i < chains.size(); i++) {
            ChainResult c = chains.get(i);
            diagnostics.addAll(c.notes());
            perChain[i] = c.llc();
            if (!Double.isNaN(c.malaAcceptance())) {
                acceptanceSum += c.malaAcceptance();
                acceptanceChains++;
            }
            double[] losses = c.losses();
            for (int k = 0; k < losses.length; k++) {
                if (!c.diverged()) {
                    traceSum[k] += nBeta * (losses[k] - centerLoss);
                    traceCount[k]++;
                }
                if (losses[k] < centerLoss) {
                    below++;
                }
                all++;
            }
            if (Double.isNaN(perChain[i])) {
                continue;
            }
            sum += perChain[i];
            good++;
            stationarity(c, diagnostics);
        }
        double mean = good == 0 ? Double.NaN : sum / good;
        double var = 0;
        for (double v : perChain) {
            if (!Double.isNaN(v)) {
                var += (v - mean) * (v - mean);
            }
        }
        double std = good > 1 ? Math.sqrt(var / (good - 1)) : 0.0;
        double[] trace = new double[draws];
        for (int k = 0; k < draws; k++) {
            trace[k] = traceCount[k] == 0 ? Double.NaN : traceSum[k] / traceCount[k];
        }
        double fractionBelow = all == 0 ? Double.NaN : (double) below / all;
        double acceptance = acceptanceChains == 0 ? Double.NaN : acceptanceSum / acceptanceChains;

        if (good == 0) {
            diagnostics.add("every chain diverged: no estimate; lower epsilon or raise gamma");
        } else if (mean < 0) {
            diagnostics.add(String.format(Locale.ROOT, "negative estimate %.4g: the chains found loss below L(w*) "
                    + "(w* is not a local minimum, or epsilon is too large)", mean));
        }
        if (fractionBelow > BELOW_CENTER_WARNING) {
            diagnostics.add(String.format(Locale.ROOT, "%.0f%% of draws fell below L(w*): w* may not be a local "
                    + "minimum; train longer before probing", 100 * fractionBelow));
        }
        boolean adjusted = chains.stream().allMatch(ChainResult::adjusted);
        if (adjusted && acceptance < LOW_ADJUSTED_ACCEPTANCE) {
            diagnostics.add(String.format(Locale.ROOT, "Metropolis-adjusted steps accepted only %.2f of the time: the "
                    + "draws are exact but move slowly; lower epsilon or draw more", acceptance));
        } else if (!adjusted && acceptance < LOW_ACCEPTANCE) {
            diagnostics.add(String.format(Locale.ROOT, "MALA acceptance %.2f is low (healthy is about 0.9): "
                    + "epsilon is too large", acceptance));
        } else if (acceptance > HIGH_ACCEPTANCE) {
            diagnostics.add(String.format(Locale.ROOT, "MALA acceptance %.4f is near 1: epsilon may be too small "
                    + "to explore in the given draws", acceptance));
        }
        if (good > 1 && Math.abs(mean) > 0 && std > 0.5 * Math.abs(mean)) {
            diagnostics.add(String.format(Locale.ROOT, "chains disagree: sd %.3g against mean %.3g; draw more or "
                    + "lengthen burn-in", std, mean));
        }
        return new LlcResult(mean, std, perChain, trace, centerLoss, nBeta, fractionBelow, acceptance, draws,
                List.copyOf(diagnostics));
    }

    /**
     * Compares the means of the first and last thirds of a chain's trace, with standard errors from batch
     * means (the draws are autocorrelated, so the naive standard error would be too small).
     */
    private static void stationarity(ChainResult c, List<String> diagnostics) {
        double[] l = c.losses();
        int third = l.length / 3;
        if (third < 10) {
            return;
        }
        double[] first = Statistics.meanAndBatchStandardError(l, 0, third);
        double[] last = Statistics.meanAndBatchStandardError(l, l.length - third, l.length);
        double se = Math.sqrt(first[1] * first[1] + last[1] * last[1]);
        if (se == 0) {
            return;
        }
        double z = (last[0] - first[0]) / se;
        if (Math.abs(z) > STATIONARITY_Z) {
            diagnostics.add(String.format(Locale.ROOT, "chain %d (nβ %.4g) is not stationary: the mean loss of its "
                    + "last third differs from its first by %.1f standard errors (%s); lengthen burn-in, lower "
                    + "epsilon, or raise gamma", c.chainIndex(), c.nBeta(), z, z > 0 ? "drifting up" : "drifting down"));
        }
    }
}
