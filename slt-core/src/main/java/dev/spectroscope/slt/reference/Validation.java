package dev.spectroscope.slt.reference;

import dev.spectroscope.slt.estimate.DosEstimator;
import dev.spectroscope.slt.estimate.DosResult;
import dev.spectroscope.slt.estimate.LlcEstimator;
import dev.spectroscope.slt.estimate.LlcResult;
import dev.spectroscope.slt.model.LossModel;
import dev.spectroscope.slt.sampler.ChainResult;
import dev.spectroscope.slt.sampler.ExchangeLadder;
import dev.spectroscope.slt.sampler.SgldSampler;
import dev.spectroscope.slt.sampler.SgldSettings;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs the estimators on a model with a known learning coefficient and reports how close they came. On a ladder of
 * at least {@link #LADDER_FIT_RUNGS} rungs λ̂ and m̂ are the line through the rungs, s·E_s[t] = λ − (m−1)/(log s −
 * ψ(λ)) ({@link DosEstimator}); on fewer, λ̂ is the LLC estimator at the rung of nβ × 1. The LLC at that rung is
 * reported either way.
 *
 * <p>Why the line: at one temperature the estimator's own bias for multiplicity m is −(m−1)/(log nβ − ψ(λ)),
 * −24% for dln[2,2,2,2,2] rank 0 at n = 10⁶ and still −14% for the normal crossing k = (2,2) at n = 10¹²; over a
 * ladder spanning decades of nβ that term has a slope of its own, and the intercept is λ.
 */
public final class Validation {

    /** The fewest rungs whose line is read as λ̂: three nβ × {0.5, 1, 2} leave m̂ ± 10 and its intercept as loose. */
    public static final int LADDER_FIT_RUNGS = 6;

    private Validation() {
    }

    /**
     * What a validation run measured.
     *
     * @param lambdaHat    the estimate judged against λ: the ladder's line where it has at least
     *                     {@link #LADDER_FIT_RUNGS} rungs, else the LLC at the rung of nβ × 1
     * @param lambdaHatStd its spread across chains (each chain's rungs read through the same line)
     * @param lambdaRung   the LLC estimator at the rung of nβ × 1 alone, and {@code lambdaRungStd} its spread
     * @param nBetaRung    that rung's nβ
     * @param exactAtNBeta what the LLC at that rung converges to with a perfect sampler (quadrature; NaN where the
     *                     model has none): the rung against it is the sampler's error, it against λ the estimator's
     *                     own finite-nβ bias
     * @param swapAcceptance with replica exchange, the lowest share of accepted swaps between two neighbouring
     *                       rungs (averaged over chains): the ladder's weakest link; NaN without exchange
     * @param ladder         the ladder's read: every rung's nβ and λ̂ and the line through them; null with one rung
     * @param symmetryAcceptance the share of symmetry moves accepted after burn-in, over all chains; NaN where the
     *                       model offers none
     */
    public record Report(String model, TrueCoefficient truth, double lambdaHat, double lambdaHatStd,
                         double lambdaRung, double lambdaRungStd, double nBetaRung, double lambdaLadder,
                         double lambdaLadderStd, double mHat, double mHatStd, int chains, int draws, double seconds, double sgldStepsPerSecond, List<String> diagnostics,
                         double exactAtNBeta, double swapAcceptance, DosResult ladder, double symmetryAcceptance) {

        public double relativeError() {
            return (lambdaHat - truth.lambdaValue()) / truth.lambdaValue();
        }

        /** The rung's LLC against the exact finite-nβ value: the sampler's error alone (NaN without that value). */
        public double samplerError() {
            return (lambdaRung - exactAtNBeta) / exactAtNBeta;
        }

        /** Whether λ̂ is the ladder's line (else the LLC at one temperature). */
        public boolean fromLadder() {
            return ladder != null && readsLine(ladder.nBetas().length);
        }
    }

    /** Whether a ladder of this many rungs is read through its line. */
    private static boolean readsLine(int rungs) {
        return rungs >= LADDER_FIT_RUNGS;
    }

    public static Report run(LossModel model, TrueCoefficient truth, SgldSettings settings, double[] ladder,
                             int threads) {
        return run(model, truth, settings, ladder, threads, Double.NaN);
    }

    static Report run(LossModel model, TrueCoefficient truth, SgldSettings settings, double[] ladder, int threads,
                      double exactAtNBeta) {
        long started = System.nanoTime();
        SgldSampler.Samples samples = new SgldSampler(threads).sample(model, settings, ladder);
        int base = 0;
        for (int k = 0; k < ladder.length; k++) {
            if (ladder[k] == 1.0) {
                base = k;
            }
        }
        LlcResult llc = LlcEstimator.estimate(samples.atTemperature(base));
        List<String> diagnostics = new ArrayList<>(llc.diagnostics());
        double bias = multiplicityBias(truth, samples.nBetas()[base]);
        if (bias < -0.10 && !readsLine(ladder.length)) {
            diagnostics.add(String.format(java.util.Locale.ROOT, "with m = %d the estimator itself lies about %.0f%% "
                    + "below λ at nβ = %.3g (−(m−1)/(log nβ − ψ(λ)), docs/science/llc-estimation.md §4 and §7): "
                    + "no sampler brings λ̂ closer at this temperature; a ladder of at least " + LADDER_FIT_RUNGS
                    + " rungs over decades of nβ does",
                    truth.multiplicity(), -100 * bias, samples.nBetas()[base]));
        }
        double lambdaLadder = Double.NaN;
        double lambdaLadderStd = Double.NaN;
        double m = Double.NaN;
        double mStd = Double.NaN;
        DosResult dos = null;
        if (ladder.length >= 2) {
            dos = DosEstimator.estimate(samples, settings.gamma());
            lambdaLadder = dos.lambda();
            lambdaLadderStd = dos.lambdaStderr();
            m = dos.multiplicity();
            mStd = dos.multiplicityStderr();
            for (String d : dos.diagnostics()) {
                diagnostics.add("ladder: " + d);
            }
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        long steps = samples.chains().stream().mapToLong(ChainResult::stepsRun).sum();
        double chainSeconds = samples.chains().stream().mapToLong(ChainResult::elapsedNanos).sum() / 1e9;
        boolean line = dos != null && readsLine(ladder.length);
        return new Report(model.describe(), truth, line ? dos.lambda() : llc.mean(),
                line ? dos.lambdaAcrossChains() : llc.std(), llc.mean(), llc.std(), samples.nBetas()[base],
                lambdaLadder, lambdaLadderStd, m, mStd, llc.chains(), llc.draws(), seconds, steps / chainSeconds,
                List.copyOf(diagnostics), exactAtNBeta, weakestSwap(samples), dos,
                samples.chains().stream().mapToDouble(ChainResult::symmetryAcceptance).filter(a -> !Double.isNaN(a))
                        .average().orElse(Double.NaN));
    }

    /**
     * The estimator's own relative bias at a finite nβ from the two-term expansion of the partition function,
     * E[nβ·K] ≈ λ − (m−1)/(log nβ − ψ(λ)): within 1–3% of the exact value on the normal crossings.
     */
    static double multiplicityBias(TrueCoefficient truth, double nBeta) {
        double lambda = truth.lambdaValue();
        return -(truth.multiplicity() - 1) / (Math.log(nBeta) - org.apache.commons.math3.special.Gamma.digamma(lambda))
                / lambda;
    }

    /** The lowest of the rungs' mean swap acceptance with their hotter neighbour; NaN without exchange. */
    private static double weakestSwap(SgldSampler.Samples samples) {
        double weakest = Double.NaN;
        for (int t = 0; t < samples.nBetas().length; t++) {
            double mean = samples.atTemperature(t).stream().mapToDouble(ChainResult::swapAcceptance)
                    .filter(a -> !Double.isNaN(a)).average().orElse(Double.NaN);
            if (!Double.isNaN(mean) && !(mean >= weakest)) {
                weakest = mean;
            }
        }
        return weakest;
    }

    public static Report deepLinearNetwork(int[] widths, int rank, long seed, int threads) {
        return deepLinearNetwork(widths, rank, DeepLinearNetwork.Centre.SINGULAR, seed, threads);
    }

    public static Report deepLinearNetwork(int[] widths, int rank, DeepLinearNetwork.Centre centre, long seed,
                                           int threads) {
        DeepLinearNetwork dln = new DeepLinearNetwork(widths, rank, ReferenceDefaults.DLN_SAMPLES,
                ReferenceDefaults.DLN_NOISE, seed, centre);
        return run(dln, dln.truth(), ReferenceDefaults.deepLinearNetwork(seed), ladderFor(dln, seed, threads), threads);
    }

    /** The family's ladder for this network: {@link ReferenceDefaults#DLN_RUNGS} rungs spaced for its pilot's λ̂. */
    static double[] ladderFor(DeepLinearNetwork dln, long seed, int threads) {
        double pilot = LlcEstimator.estimate(new SgldSampler(threads).sample(dln,
                ReferenceDefaults.deepLinearNetworkPilot(seed)).chains()).mean();
        return ExchangeLadder.colderFrom(pilot, ReferenceDefaults.DLN_RUNGS);
    }

    public static Report normalCrossing(int[] k, int[] h, long seed, int threads) {
        NormalCrossing nc = new NormalCrossing(k, h, ReferenceDefaults.NORMAL_CROSSING_SAMPLES);
        SgldSettings settings = ReferenceDefaults.normalCrossing(seed);
        double exact = k.length <= 3 ? nc.expectedEnergy(settings.nBetaFor(nc.sampleCount()), settings.gamma())
                : Double.NaN;
        return run(nc, nc.truth(), settings, ReferenceDefaults.NORMAL_CROSSING_LADDER, threads, exact);
    }
}
