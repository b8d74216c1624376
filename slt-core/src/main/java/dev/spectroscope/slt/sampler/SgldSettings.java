package dev.spectroscope.slt.sampler;

/**
 * Settings of localized SGLD (SCIENCE.md §2).
 *
 * @param epsilon        step size ε at the base nβ; with plain SGLD a ladder rung at k·nβ steps ε/k
 * @param gamma          localization strength γ
 * @param nBeta          inverse temperature times n; {@code Double.NaN} means the default n / log n
 * @param batchSize      minibatch size B; at least n means full-batch Langevin
 * @param chains         chains per temperature
 * @param draws          recorded draws per chain
 * @param burnIn         steps discarded before the first draw
 * @param stepsPerDraw   steps between recorded draws
 * @param seed           root seed: every chain's stream derives from it, so a run repeats bit for bit
 * @param preconditioner plain or RMSprop-preconditioned
 * @param malaEvery      every how many steps the MALA acceptance probability is measured (0: never); each
 *                       measurement costs one extra loss and gradient evaluation on the same minibatch
 * @param metropolis     accept or reject every step by its MALA probability (Metropolis-adjusted Langevin):
 *                       the chain then samples the localized posterior exactly, whatever ε, instead of with
 *                       the discretization bias of plain Langevin steps. Only for losses without minibatch
 *                       noise (full batch, or a model with no data); costs one more loss and gradient a step
 * @param exchangeEvery  replica exchange (parallel tempering) across a ladder: every this many steps, each chain
 *                       offers to swap its position with the same chain on the neighbouring rung, accepted with
 *                       probability min(1, exp((s_i − s_j)(L(w_i) − L(w_j)))) on the full loss, so every rung
 *                       still samples its own posterior exactly while the hot rungs carry the cold ones across
 *                       regions they cannot cross alone (the long arms of a posterior with m ≥ 2 at large nβ).
 *                       0: independent rungs. The full loss is evaluated at both positions per offer
 * @param targetAcceptance with Metropolis adjustment, the share of accepted steps each chain steers its own ε
 *                       towards during burn-in (then frozen at the mean of log ε over burn-in's second half, so the
 *                       recorded chain is an exact MALA chain at one ε); NaN: ε as given on every rung. A cold rung
 *                       needs a smaller step than a hot one in the stiff directions and a larger one along the flat
 *                       ones, so one fixed ε leaves the cold rungs of a long ladder rejecting nearly every step
 * @param symmetryMoves  with Metropolis adjustment, how many moves along the model's loss-preserving symmetries
 *                       ({@link dev.spectroscope.slt.model.SymmetryMove}) each chain offers per group of them
 *                       (a deep linear network: per hidden layer) after every step, each
 *                       accepted by the exact posterior ratio; their size steers towards
 *                       {@link LocalizedSgld#SYMMETRY_TARGET_ACCEPTANCE} in burn-in and is then frozen. 0, or a
 *                       model without symmetries: none. An offer costs no loss evaluation
 */
public record SgldSettings(double epsilon, double gamma, double nBeta, int batchSize, int chains, int draws,
                           int burnIn, int stepsPerDraw, long seed, Preconditioner preconditioner, int malaEvery,
                           boolean metropolis, int exchangeEvery, double targetAcceptance, int symmetryMoves) {

    /** No symmetry moves. */
    public SgldSettings(double epsilon, double gamma, double nBeta, int batchSize, int chains, int draws,
                        int burnIn, int stepsPerDraw, long seed, Preconditioner preconditioner, int malaEvery,
                        boolean metropolis, int exchangeEvery, double targetAcceptance) {
        this(epsilon, gamma, nBeta, batchSize, chains, draws, burnIn, stepsPerDraw, seed, preconditioner, malaEvery,
                metropolis, exchangeEvery, targetAcceptance, 0);
    }

    /** Unadjusted Langevin steps (SGLD), as the probe worker and the agent sample. */
    public SgldSettings(double epsilon, double gamma, double nBeta, int batchSize, int chains, int draws, int burnIn,
                        int stepsPerDraw, long seed, Preconditioner preconditioner, int malaEvery) {
        this(epsilon, gamma, nBeta, batchSize, chains, draws, burnIn, stepsPerDraw, seed, preconditioner, malaEvery,
                false);
    }

    /** Independent rungs, with or without Metropolis adjustment. */
    public SgldSettings(double epsilon, double gamma, double nBeta, int batchSize, int chains, int draws, int burnIn,
                        int stepsPerDraw, long seed, Preconditioner preconditioner, int malaEvery, boolean metropolis) {
        this(epsilon, gamma, nBeta, batchSize, chains, draws, burnIn, stepsPerDraw, seed, preconditioner, malaEvery,
                metropolis, 0);
    }

    /** A fixed ε on every rung. */
    public SgldSettings(double epsilon, double gamma, double nBeta, int batchSize, int chains, int draws, int burnIn,
                        int stepsPerDraw, long seed, Preconditioner preconditioner, int malaEvery, boolean metropolis,
                        int exchangeEvery) {
        this(epsilon, gamma, nBeta, batchSize, chains, draws, burnIn, stepsPerDraw, seed, preconditioner, malaEvery,
                metropolis, exchangeEvery, Double.NaN);
    }

    public SgldSettings {
        require(epsilon > 0 && Double.isFinite(epsilon), "epsilon must be a positive number, was " + epsilon);
        require(gamma >= 0 && Double.isFinite(gamma), "gamma must be non-negative, was " + gamma);
        require(Double.isNaN(nBeta) || nBeta > 0, "nBeta must be positive (or NaN for n/log n), was " + nBeta);
        require(batchSize >= 1, "batchSize must be at least 1, was " + batchSize);
        require(chains >= 1, "chains must be at least 1, was " + chains);
        require(draws >= 1, "draws must be at least 1, was " + draws);
        require(burnIn >= 0, "burnIn must be non-negative, was " + burnIn);
        require(stepsPerDraw >= 1, "stepsPerDraw must be at least 1, was " + stepsPerDraw);
        require(malaEvery >= 0, "malaEvery must be non-negative, was " + malaEvery);
        require(preconditioner != null, "preconditioner is required");
        require(Double.isNaN(targetAcceptance) || (targetAcceptance > 0 && targetAcceptance < 1),
                "targetAcceptance must lie strictly between 0 and 1 (or NaN for a fixed ε), was " + targetAcceptance);
        require(Double.isNaN(targetAcceptance) || metropolis,
                "targetAcceptance steers ε by the Metropolis acceptance, so it needs metropolis = true");
        require(symmetryMoves >= 0, "symmetryMoves must be non-negative (0: none), was "
                + symmetryMoves);
        require(symmetryMoves == 0 || metropolis,
                "symmetry moves are accepted by the exact loss, so they need metropolis = true");
        require(exchangeEvery >= 0, "exchangeEvery must be non-negative (0: no replica exchange), was "
                + exchangeEvery);
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    /** The default inverse temperature for n samples: nβ* = n / log n (β* = 1 / log n, as the papers use). */
    public static double defaultNBeta(long n) {
        return n / Math.log(n);
    }

    /** nβ for a model with n samples: the explicit value, or n / log n. */
    public double nBetaFor(long n) {
        return Double.isNaN(nBeta) ? defaultNBeta(n) : nBeta;
    }

    public int totalSteps() {
        return burnIn + draws * stepsPerDraw;
    }

    public SgldSettings withEpsilon(double e) {
        return new SgldSettings(e, gamma, nBeta, batchSize, chains, draws, burnIn, stepsPerDraw, seed, preconditioner,
                malaEvery, metropolis, exchangeEvery, targetAcceptance, symmetryMoves);
    }

    public SgldSettings withNBeta(double nb) {
        return new SgldSettings(epsilon, gamma, nb, batchSize, chains, draws, burnIn, stepsPerDraw, seed,
                preconditioner, malaEvery, metropolis, exchangeEvery, targetAcceptance, symmetryMoves);
    }

    public SgldSettings withGamma(double g) {
        return new SgldSettings(epsilon, g, nBeta, batchSize, chains, draws, burnIn, stepsPerDraw, seed,
                preconditioner, malaEvery, metropolis, exchangeEvery, targetAcceptance, symmetryMoves);
    }

    public SgldSettings withSeed(long s) {
        return new SgldSettings(epsilon, gamma, nBeta, batchSize, chains, draws, burnIn,
                stepsPerDraw, s, preconditioner, malaEvery, metropolis, exchangeEvery, targetAcceptance, symmetryMoves);
    }

    public SgldSettings withDraws(int d, int b) {
        return new SgldSettings(epsilon, gamma, nBeta, batchSize, chains, d, b, stepsPerDraw, seed, preconditioner,
                malaEvery, metropolis, exchangeEvery, targetAcceptance, symmetryMoves);
    }

    public SgldSettings withChains(int c) {
        return new SgldSettings(epsilon, gamma, nBeta, batchSize, c, draws, burnIn, stepsPerDraw, seed, preconditioner,
                malaEvery, metropolis, exchangeEvery, targetAcceptance, symmetryMoves);
    }

    public SgldSettings withBatchSize(int b) {
        return new SgldSettings(epsilon, gamma, nBeta, b, chains, draws, burnIn, stepsPerDraw, seed, preconditioner,
                malaEvery, metropolis, exchangeEvery, targetAcceptance, symmetryMoves);
    }

    public SgldSettings withPreconditioner(Preconditioner p) {
        return new SgldSettings(epsilon, gamma, nBeta, batchSize, chains, draws, burnIn, stepsPerDraw, seed, p,
                malaEvery, metropolis, exchangeEvery, targetAcceptance, symmetryMoves);
    }

    public SgldSettings withMetropolis(boolean m) {
        return new SgldSettings(epsilon, gamma, nBeta, batchSize, chains, draws, burnIn, stepsPerDraw, seed,
                preconditioner, malaEvery, m, exchangeEvery, targetAcceptance, symmetryMoves);
    }

    public SgldSettings withExchangeEvery(int every) {
        return new SgldSettings(epsilon, gamma, nBeta, batchSize, chains, draws, burnIn, stepsPerDraw, seed,
                preconditioner, malaEvery, metropolis, every, targetAcceptance, symmetryMoves);
    }

    public SgldSettings withTargetAcceptance(double target) {
        return new SgldSettings(epsilon, gamma, nBeta, batchSize, chains, draws, burnIn, stepsPerDraw, seed,
                preconditioner, malaEvery, metropolis, exchangeEvery, target, symmetryMoves);
    }

    public SgldSettings withSymmetryMoves(int moves) {
        return new SgldSettings(epsilon, gamma, nBeta, batchSize, chains, draws, burnIn, stepsPerDraw, seed,
                preconditioner, malaEvery, metropolis, exchangeEvery, targetAcceptance, moves);
    }
}
