package dev.spectroscope.slt.reference;

import dev.spectroscope.slt.estimate.DosEstimator;
import dev.spectroscope.slt.estimate.DosResult;
import dev.spectroscope.slt.estimate.LlcEstimator;
import dev.spectroscope.slt.estimate.LlcResult;
import dev.spectroscope.slt.model.LossModel;
import dev.spectroscope.slt.sampler.ChainResult;
import dev.spectroscope.slt.sampler.SgldSampler;
import dev.spectroscope.slt.sampler.SgldSettings;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs the estimators on a model with a known learning coefficient and reports how close they came:
 * λ̂ from the LLC estimator at nβ = n/log n, m̂ (and a second λ) from the temperature ladder.
 */
public final class Validation {

    private Validation() {
    }

    /** What a validation run measured. */
    /**
     * @param exactAtNBeta what λ̂ converges to with a perfect sampler at the nβ used (quadrature; NaN where the
     *                     model has none): λ̂ against it is the sampler's error, it against λ the estimator's own
     *                     finite-nβ bias
     * @param swapAcceptance with replica exchange, the lowest share of accepted swaps between two neighbouring
     *                       rungs (averaged over chains): the ladder's weakest link; NaN without exchange
     */
    public record Report(String model, TrueCoefficient truth, double lambdaHat, double lambdaHatStd,
                         double lambdaLadder, double lambdaLadderStd, double mHat, double mHatStd, int chains,
                         int draws, double seconds, double sgldStepsPerSecond, List<String> diagnostics,
                         double exactAtNBeta, double swapAcceptance) {

        public double relativeError() {
            return (lambdaHat - truth.lambdaValue()) / truth.lambdaValue();
        }

        /** λ̂ against the exact finite-nβ value: the sampler's error alone (NaN without that value). */
        public double samplerError() {
            return (lambdaHat - exactAtNBeta) / exactAtNBeta;
        }
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
        if (bias < -0.10) {
            diagnostics.add(String.format(java.util.Locale.ROOT, "with m = %d the estimator itself lies about %.0f%% "
                    + "below λ at nβ = %.3g (−(m−1)/(log nβ − ψ(λ)), docs/science/llc-estimation.md §4 and §7): "
                    + "no sampler brings λ̂ closer at this temperature; only a colder ladder does",
                    truth.multiplicity(), -100 * bias, samples.nBetas()[base]));
        }
        double lambdaLadder = Double.NaN;
        double lambdaLadderStd = Double.NaN;
        double m = Double.NaN;
        double mStd = Double.NaN;
        if (ladder.length >= 2) {
            DosResult dos = DosEstimator.estimate(samples, settings.gamma());
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
        return new Report(model.describe(), truth, llc.mean(), llc.std(), lambdaLadder, lambdaLadderStd, m, mStd,
                llc.chains(), llc.draws(), seconds, steps / chainSeconds, List.copyOf(diagnostics), exactAtNBeta,
                weakestSwap(samples));
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
        return run(dln, dln.truth(), ReferenceDefaults.deepLinearNetwork(seed), ReferenceDefaults.LADDER, threads);
    }

    public static Report normalCrossing(int[] k, int[] h, long seed, int threads) {
        NormalCrossing nc = new NormalCrossing(k, h, ReferenceDefaults.NORMAL_CROSSING_SAMPLES);
        SgldSettings settings = ReferenceDefaults.normalCrossing(seed);
        double exact = k.length <= 3 ? nc.expectedEnergy(settings.nBetaFor(nc.sampleCount()), settings.gamma())
                : Double.NaN;
        return run(nc, nc.truth(), settings, ReferenceDefaults.NORMAL_CROSSING_LADDER, threads, exact);
    }
}
