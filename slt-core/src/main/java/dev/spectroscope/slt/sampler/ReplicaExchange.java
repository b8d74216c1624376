package dev.spectroscope.slt.sampler;

import dev.spectroscope.slt.model.LossModel;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * Replica exchange (parallel tempering) for one chain index across a temperature ladder: every rung runs its own
 * localized chain, and every {@code exchangeEvery} steps neighbouring rungs (by nβ) offer to trade positions,
 * alternately the even and the odd pairs. A swap between rungs at s_i and s_j is accepted with probability
 * min(1, exp((s_i − s_j)·(L(w_i) − L(w_j)))) on the full loss (the localization term is the same on every rung
 * and cancels), which leaves every rung's own tempered posterior invariant: each rung's draws are still draws at
 * its nβ, while positions found by the hot rungs travel to the cold ones.
 *
 * <p>Why: at large nβ the posterior of a singularity with m ≥ 2 lies along thin arms that spread log-uniformly
 * over decades (|w₁w₂| ≲ nβ^(−1/4) for K = w₁⁴w₂⁴); a cold chain's steps must be as small as the arm is thin, and it
 * then needs millions of steps to cover the arm's length. A hot rung covers it in a few thousand.
 */
final class ReplicaExchange {

    /** Below this share of accepted swaps between two rungs the ladder is too sparse for exchange to help. */
    static final double LOW_SWAP_ACCEPTANCE = 0.2;

    private final LocalizedSgld sgld;
    private final SgldSettings settings;

    ReplicaExchange(LocalizedSgld sgld, SgldSettings settings) {
        this.sgld = sgld;
        this.settings = settings;
    }

    /** Every rung's chain of one chain index, in ladder order. */
    List<ChainResult> run(LossModel model, double[] center, double centerLoss, double[] nBetas, double[] ladder,
                          int chain) {
        int rungs = ladder.length;
        List<LocalizedSgld.Walker> walkers = new ArrayList<>();
        for (int t = 0; t < rungs; t++) {
            walkers.add(sgld.walker(model.newEvaluator(), center, centerLoss, nBetas[t], ladder[t], chain, t));
        }
        // Neighbours by temperature, whatever order the ladder lists its rungs in.
        int[] byNBeta = IntStream.range(0, rungs).boxed().sorted(Comparator.comparingDouble(t -> nBetas[t]))
                .mapToInt(Integer::intValue).toArray();
        // Its own stream, apart from every rung's: temperature index −1 is no rung's.
        SplittableRandom random = new SplittableRandom(LocalizedSgld.chainSeed(settings.seed(), chain, -1));
        long[] offered = new long[rungs - 1];
        long[] accepted = new long[rungs - 1];
        int every = settings.exchangeEvery();
        long total = settings.totalSteps();
        long round = 0;
        for (long until = every; ; until += every) {
            for (LocalizedSgld.Walker w : walkers) {
                w.advance(until);
            }
            if (until >= total) {
                break;
            }
            for (int pair = (int) (round++ % 2); pair + 1 < rungs; pair += 2) {
                LocalizedSgld.Walker cold = walkers.get(byNBeta[pair + 1]);
                LocalizedSgld.Walker hot = walkers.get(byNBeta[pair]);
                if (cold.diverged() || hot.diverged()) {
                    continue;
                }
                double logAlpha = (cold.nBeta() - hot.nBeta()) * (cold.fullLoss() - hot.fullLoss());
                boolean counted = until > settings.burnIn();
                if (counted) {
                    offered[pair]++;
                }
                if (logAlpha >= 0 || random.nextDouble() < Math.exp(logAlpha)) {
                    cold.swapPositions(hot);
                    if (counted) {
                        accepted[pair]++;
                    }
                }
            }
        }
        for (int pair = 0; pair + 1 < rungs; pair++) {
            if (offered[pair] > 0) {
                walkers.get(byNBeta[pair + 1]).swapAcceptance((double) accepted[pair] / offered[pair]);
            }
            if (offered[pair] > 0 && accepted[pair] < LOW_SWAP_ACCEPTANCE * offered[pair]) {
                walkers.get(byNBeta[pair + 1]).note(String.format(Locale.ROOT, "chain %d: only %.0f%% of replica "
                        + "swaps between nβ %.4g and %.4g accepted; put more rungs between them", chain,
                        100.0 * accepted[pair] / offered[pair], nBetas[byNBeta[pair]], nBetas[byNBeta[pair + 1]]));
            }
        }
        List<ChainResult> results = new ArrayList<>();
        for (LocalizedSgld.Walker w : walkers) {
            results.add(w.result());
        }
        return results;
    }
}
