package dev.spectroscope.slt.reference;

import dev.spectroscope.slt.sampler.Preconditioner;
import dev.spectroscope.slt.sampler.SgldSettings;

/**
 * The documented sampler settings for each family of reference models: one setting per family, the
 * same for every shape, never tuned per case. They come from the calibration sweep
 * ({@code spectroscope calibrate}) and from the accuracy benchmark ({@code docs/benchmarks/llc-accuracy.md}),
 * where their reasons are written down.
 */
public final class ReferenceDefaults {

    /** Samples behind a deep linear network's loss: large, so the (m−1)/log nβ term stays small. */
    public static final int DLN_SAMPLES = 1_000_000;
    /** Output noise σ of the deep linear networks' data. */
    public static final double DLN_NOISE = 1.0;
    /** The normal-crossing potentials' nominal sample count: K has no data, so it only sizes (unused) batches. */
    public static final int NORMAL_CROSSING_SAMPLES = 1_000_000;
    /**
     * The n whose n/log n is the normal crossings' nβ. K has no data, so n is only a temperature, and a large one
     * keeps the estimator's own bias for m ≥ 2, −(m−1)/(log nβ − ψ(λ)), small: −25% and −28% for k = (2,2) and
     * k = (1,1,1) at n = 10⁶, −14% and −15% at 10¹².
     */
    public static final double NORMAL_CROSSING_N = 1e12;
    /**
     * The normal crossings' ladder: eleven rungs a factor 4 apart, from n/log n down to 4⁻¹⁰ of it (≈ 3.4·10⁴, the
     * old single temperature), joined by replica exchange so that the hot rungs carry the cold one along the
     * posterior's arms. A factor 4 keeps 65–80% of the swaps accepted.
     */
    public static final double[] NORMAL_CROSSING_LADDER = geometricLadder(4, 11);

    private ReferenceDefaults() {
    }

    /**
     * The share of accepted steps each deep-linear-network chain steers its ε towards in burn-in. With one ε = 1e-4
     * on every rung, the cold rungs of a rank-1 network rejected 88–100% of their steps (stiff teacher directions at
     * nβ ≈ 10⁸–10¹⁰) while the hot ones accepted 95–99% and crawled.
     */
    public static final double DLN_TARGET_ACCEPTANCE = 0.8;

    /**
     * Basis changes offered per hidden layer after every step ({@link HiddenBasisChange}). The product W_L ⋯ W_1 stays
     * put under W_k → D W_k, W_{k+1} → W_{k+1} D⁻¹, so the minimum set is swept out by these moves and only γ holds
     * the posterior along it; Langevin steps sized for the stiff teacher directions crossed it too slowly:
     * dln[3,3,3,3,3,3] rank 1 measured −15.6% with 40,000 steps and −10.2% with 160,000, its localization share
     * still rising (0.40, 0.58). With 4 offers a layer the share settles at 0.78 within burn-in.
     */
    public static final int DLN_SYMMETRY_MOVES = 4;

    /** Rungs of the deep linear networks' exchange ladder, from n/log n colder (see {@link #deepLinearNetwork}). */
    public static final int DLN_RUNGS = 12;

    /**
     * Deep linear networks: full-batch Langevin (the loss through its sufficient statistics, so it is exact and every
     * step is Metropolis-adjusted) with an RMSprop preconditioner adapted in burn-in and then frozen, ε = 1e-4,
     * γ = 1, 8 chains of 40,000 draws after 40,000 steps of burn-in on each of {@link #DLN_RUNGS} rungs from
     * nβ = n/log n colder, spaced for the pilot's λ̂ ({@link dev.spectroscope.slt.sampler.ExchangeLadder}), with
     * replica exchange between neighbours every 50 steps, and {@link #DLN_SYMMETRY_MOVES} basis changes per hidden layer
     * after every step.
     *
     * <p>Why a ladder: with multiplicity m the estimator at one nβ lies −(m−1)/(log nβ − ψ(λ)) below λ (−24% for
     * dln[2,2,2,2,2] rank 0 at n = 10⁶), and only the trend of λ̂ over a wide span of nβ separates λ from m. The
     * rungs are far apart where λ is small (a factor 4: 4¹¹ ≈ 4·10⁶ in all) and close where it is large (1.23 for
     * λ = 75/2), where m is small beside λ and the span matters less.
     *
     * <p>Why adjusted: unadjusted, the chains carried a step-size bias that depended on how well burn-in had adapted
     * the preconditioner: dln[2,6,9,10] rank 0 (centred at the origin) measured +10% after 40,000 burn-in steps,
     * +4% after 160,000 and +128% after 1,000; adjusted, +4% after 40,000 and after 1,000 alike.
     */
    public static SgldSettings deepLinearNetwork(long seed) {
        return new SgldSettings(1e-4, 1.0, Double.NaN, Integer.MAX_VALUE, 8, 40_000, 40_000, 1, seed,
                Preconditioner.RMSPROP, 20, true, 50, DLN_TARGET_ACCEPTANCE, DLN_SYMMETRY_MOVES);
    }

    /** The pilot that spaces the deep linear networks' ladder: 2 chains of 5,000 draws at n/log n, no exchange. */
    public static SgldSettings deepLinearNetworkPilot(long seed) {
        return deepLinearNetwork(seed).withChains(2).withDraws(5_000, 5_000).withExchangeEvery(0);
    }

    /**
     * Normal-crossing potentials: K itself (no minibatch noise), so every step is Metropolis-adjusted (MALA) and
     * the chains sample the localized posterior exactly; RMSprop preconditioner adapted in burn-in, ε = 1e-3,
     * γ = 1, nβ = n/log n at n = 10¹² ({@link #NORMAL_CROSSING_N}), 8 chains of 200,000 draws after 200,000 steps
     * of burn-in on every rung of {@link #NORMAL_CROSSING_LADDER}, neighbouring rungs offered a swap every 50 steps.
     *
     * <p>At n = 10⁶ a single adjusted chain was within about 4% of the exact finite-nβ expectation
     * ({@link NormalCrossing#expectedEnergy}), but there the estimator's own bias for m ≥ 2 was −25% and −28%. At
     * n = 10¹² that bias halves, and a lone chain no longer covers the posterior's arms in 200,000 steps (18% short
     * for k = (2,2)); with replica exchange the cold rung is again within a few per cent of the exact value
     * (docs/science/llc-estimation.md, "Normal crossings").
     */
    public static SgldSettings normalCrossing(long seed) {
        return new SgldSettings(1e-3, 1.0, SgldSettings.defaultNBeta((long) NORMAL_CROSSING_N), 1, 8, 200_000,
                200_000, 1, seed, Preconditioner.RMSPROP, 20, true, 50);
    }

    /** Multipliers factor^−(rungs−1), …, factor^−1, 1 of the base nβ. */
    static double[] geometricLadder(double factor, int rungs) {
        double[] ladder = new double[rungs];
        for (int i = 0; i < rungs; i++) {
            ladder[i] = Math.pow(factor, -(rungs - 1 - i));
        }
        return ladder;
    }
}
