package dev.spectroscope.slt.sampler;

import dev.spectroscope.slt.model.LossModel;
import dev.spectroscope.slt.model.SymmetryMove;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * One chain of localized stochastic-gradient Langevin dynamics around w* (SCIENCE.md §2):
 *
 * <pre>
 *   w ← w − (ε/2)·( nβ·∇L_B(w) + γ·(w − w*) ) + √ε·N(0, I)
 * </pre>
 *
 * and, preconditioned, with G = 1/(√v + δ) and v the running mean of the squared drift,
 * {@code w ← w − (ε/2)·G⊙drift + √(εG)⊙N(0, I)}. The preconditioner adapts during burn-in only and is
 * frozen for the recorded draws: Langevin dynamics with a constant preconditioner has the right
 * stationary distribution, while one that keeps adapting does not (it would need the correction term
 * Σ_j ∂G_ij/∂w_j). The loss recorded for a draw is the minibatch loss at
 * the weights before that step's update. The step loop allocates nothing.
 *
 * <p>Adjusted chains of a model with a loss-preserving symmetry ({@link SymmetryMove}) also offer
 * {@link SgldSettings#symmetryMoves()} moves along it per group after every step: each is a Metropolis–Hastings
 * step of its own, so together with the MALA steps and the replica swaps the chain keeps the same posterior.
 */
public final class LocalizedSgld {

    private static final double RMS_DECAY = 0.99;
    /** Robbins–Monro gain for log ε per step: ε settles within a few hundred steps of burn-in. */
    private static final double STEER_GAIN = 0.02;
    // The drift nβ·∇L is large away from the centre; a tiny δ would let the first steps from a critical point,
    // where the running mean v is still 0, take huge steps.
    private static final double RMS_DELTA = 1e-1;
    /**
     * The share of symmetry moves accepted that their size steers towards in burn-in. A move along the minimum set
     * changes only the localization term, so this is a random walk on that set under the prior's pull; 0.4 is near
     * the random-walk optimum of 0.23–0.44.
     */
    public static final double SYMMETRY_TARGET_ACCEPTANCE = 0.4;
    /** Robbins–Monro gain for the log of the symmetry moves' size per offer. */
    private static final double SYMMETRY_GAIN = 0.05;
    private static final double SYMMETRY_START_SCALE = 0.1;

    private final LossModel model;
    private final SgldSettings settings;

    public LocalizedSgld(LossModel model, SgldSettings settings) {
        this.model = model;
        this.settings = settings;
    }

    /**
     * Runs one chain.
     *
     * @param center     w*
     * @param centerLoss L_n(w*)
     * @param nBeta      inverse temperature times n for this chain
     */
    public ChainResult run(LossModel.Evaluator evaluator, double[] center, double centerLoss, double nBeta,
                           int chainIndex, int temperatureIndex) {
        return run(evaluator, center, centerLoss, nBeta, 1.0, chainIndex, temperatureIndex);
    }

    /**
     * Runs one chain of a ladder rung at {@code rung} times the base nβ. For plain SGLD the step size is
     * ε/rung, so that the loss term's step ε·nβ is the same on every rung and each rung mixes in the same
     * number of steps; a fixed ε would leave the hot rungs unmixed and the cold ones unstable.
     */
    public ChainResult run(LossModel.Evaluator evaluator, double[] center, double centerLoss, double nBeta,
                           double rung, int chainIndex, int temperatureIndex) {
        Walker walker = walker(evaluator, center, centerLoss, nBeta, rung, chainIndex, temperatureIndex);
        walker.advance(settings.totalSteps());
        return walker.result();
    }

    /** A chain that is advanced a stretch at a time, so that replica exchange can interleave the rungs. */
    Walker walker(LossModel.Evaluator evaluator, double[] center, double centerLoss, double nBeta, double rung,
                  int chainIndex, int temperatureIndex) {
        return new Walker(evaluator, center, centerLoss, nBeta, rung, chainIndex, temperatureIndex);
    }

    /** One chain's state between stretches of steps. */
    final class Walker {

        private final LossModel.Evaluator evaluator;
        private final double[] center;
        private final double centerLoss;
        private final double nBeta;
        private final int chainIndex;
        private final int temperatureIndex;
        private final long seed;
        private final SplittableRandom random;
        private final int n;
        private final int batchSize;
        private double eps;
        // Burn-in steers ε towards the target acceptance (null: ε as given).
        private final BurnInSteering epsSteering;
        private final boolean rms;
        private final boolean metropolis;
        private final double[] w;
        private final double[] grad;
        private final double[] drift;
        private final double[] v;
        // G = 1/(√v + δ) and √(εG), recomputed only when v has changed: after burn-in v is frozen, and the square
        // roots and divisions per coordinate were a third of a small model's step.
        private final double[] precond;
        private final double[] noiseScale;
        private boolean precondStale = true;
        private final double[] proposal;
        private final double[] proposalGrad;
        // An adjusted step's outcome is the next step's loss and gradient: the proposal's if accepted, the current
        // ones if rejected. The loss is exact (no minibatch noise), so they are kept rather than evaluated again.
        private final double[] proposalLoss = new double[1];
        private boolean reuseProposal;
        private boolean reuseCurrent;
        private double currentLoss;
        private final int[] order;
        private final int[] batch;
        private int cursor;
        private final double[] losses;
        private int recorded;
        private double distanceSum;
        private double acceptanceSum;
        private int acceptanceCount;
        private boolean diverged;
        private final List<String> notes = new ArrayList<>();
        private long step;
        private long elapsedNanos;
        private double swapAcceptance = Double.NaN;
        private final SymmetryMove symmetry;
        private final int symmetryOffersPerStep;
        private final BurnInSteering symmetrySteering;
        private double symmetryScale = SYMMETRY_START_SCALE;
        private double symmetryAcceptanceSum;
        private long symmetryOffers;

        private Walker(LossModel.Evaluator evaluator, double[] center, double centerLoss, double nBeta, double rung,
                       int chainIndex, int temperatureIndex) {
            this.evaluator = evaluator;
            this.center = center;
            this.centerLoss = centerLoss;
            this.nBeta = nBeta;
            this.chainIndex = chainIndex;
            this.temperatureIndex = temperatureIndex;
            this.seed = chainSeed(settings.seed(), chainIndex, temperatureIndex);
            this.random = new SplittableRandom(seed);
            int d = center.length;
            this.n = model.sampleCount();
            this.batchSize = Math.min(settings.batchSize(), n);
            this.rms = settings.preconditioner() == Preconditioner.RMSPROP;
            // RMSprop's preconditioner already scales the step with the drift, hence with the temperature.
            this.eps = rms ? settings.epsilon() : settings.epsilon() / rung;
            this.metropolis = settings.metropolis();
            this.epsSteering = metropolis && !Double.isNaN(settings.targetAcceptance()) && settings.burnIn() > 0
                    ? new BurnInSteering(eps, STEER_GAIN, settings.targetAcceptance(), settings.burnIn()) : null;
            this.w = center.clone();
            this.grad = new double[d];
            this.drift = new double[d];
            this.v = rms ? new double[d] : null;
            this.precond = new double[d];
            this.noiseScale = new double[d];
            this.proposal = settings.malaEvery() > 0 || metropolis ? new double[d] : null;
            this.proposalGrad = settings.malaEvery() > 0 || metropolis ? new double[d] : null;
            // Full-batch chains (B ≥ n) need no index permutation; n may be far too large to hold one.
            this.order = batchSize < n ? new int[n] : new int[0];
            for (int i = 0; i < order.length; i++) {
                order[i] = i;
            }
            this.batch = batchSize < n ? new int[batchSize] : fullBatch(n);
            this.cursor = n; // forces a shuffle before the first batch
            this.losses = new double[settings.draws()];
            this.symmetry = metropolis && settings.symmetryMoves() > 0 ? evaluator.symmetryMove() : null;
            this.symmetryOffersPerStep = symmetry == null ? 0 : settings.symmetryMoves() * symmetry.groups();
            this.symmetrySteering = new BurnInSteering(SYMMETRY_START_SCALE, SYMMETRY_GAIN,
                    SYMMETRY_TARGET_ACCEPTANCE, settings.burnIn());
        }

        boolean diverged() {
            return diverged;
        }

        double nBeta() {
            return nBeta;
        }

        /** The full loss at the current position (what replica exchange compares). */
        double fullLoss() {
            return evaluator.fullLoss(w);
        }

        /** Exchanges positions with another walker of the same model (a replica-exchange swap). */
        void swapPositions(Walker other) {
            for (int i = 0; i < w.length; i++) { // in place: the step loop and its swaps allocate nothing
                double mine = w[i];
                w[i] = other.w[i];
                other.w[i] = mine;
            }
            // The kept loss and gradient belonged to the old position.
            reuseProposal = false;
            other.reuseProposal = false;
            reuseCurrent = false;
            other.reuseCurrent = false;
        }

        void note(String note) {
            notes.add(note);
        }

        void swapAcceptance(double share) {
            swapAcceptance = share;
        }

        /** Runs steps until {@code untilStep} steps have been taken in all, or the chain diverges. */
        void advance(long untilStep) {
            long started = System.nanoTime();
            int d = w.length;
            double gamma = settings.gamma();
            double halfEps = 0.5 * eps;
            double sqrtEps = Math.sqrt(eps);
            long total = Math.min(untilStep, settings.totalSteps());
            for (; step < total && !diverged; step++) {
                if (batchSize < n) {
                    if (cursor + batchSize > n) {
                        shuffle(order, random);
                        cursor = 0;
                    }
                    System.arraycopy(order, cursor, batch, 0, batchSize);
                    cursor += batchSize;
                }
                double loss;
                if (reuseProposal) {
                    loss = proposalLoss[0];
                    System.arraycopy(proposalGrad, 0, grad, 0, d);
                    reuseProposal = false;
                } else if (reuseCurrent) {
                    loss = currentLoss; // grad still holds the gradient at w
                    reuseCurrent = false;
                } else {
                    loss = evaluator.lossAndGradient(w, batch, batchSize, grad);
                }
                if (!Double.isFinite(loss)) {
                    diverged = true;
                    notes.add("chain " + chainIndex + " diverged at step " + step + ": loss " + loss
                            + "; lower epsilon (" + eps + ") or raise gamma");
                    break;
                }
                for (int k = 0; k < symmetryOffersPerStep; k++) {
                    moveAlongSymmetry(gamma);
                }
                boolean record = step >= settings.burnIn()
                        && (step - settings.burnIn()) % settings.stepsPerDraw() == 0;
                if (record) {
                    losses[recorded++] = loss;
                }
                double distance = 0;
                for (int i = 0; i < d; i++) {
                    double offset = w[i] - center[i];
                    distance += offset * offset;
                    drift[i] = nBeta * grad[i] + gamma * offset;
                }
                if (record) {
                    distanceSum += distance;
                }
                if (rms && (step < settings.burnIn() || settings.burnIn() == 0)) {
                    for (int i = 0; i < d; i++) {
                        v[i] = RMS_DECAY * v[i] + (1 - RMS_DECAY) * drift[i] * drift[i];
                    }
                    precondStale = true;
                }
                if (precondStale) {
                    for (int i = 0; i < d; i++) {
                        precond[i] = rms ? 1.0 / (Math.sqrt(v[i]) + RMS_DELTA) : 1.0;
                        noiseScale[i] = Math.sqrt(eps * precond[i]);
                    }
                    precondStale = false;
                }
                if (metropolis) {
                    double potential = nBeta * loss + 0.5 * gamma * distance;
                    double a = malaAcceptance(evaluator, w, drift, precond, noiseScale, potential, center, nBeta, eps,
                            batch, batchSize, random, proposal, proposalGrad, proposalLoss);
                    if (Double.isNaN(a)) {
                        a = 0; // a proposal with no finite loss is rejected; the chain stays where it is
                    } else if (rms && step < settings.burnIn()) {
                        adaptToProposal(gamma);
                    }
                    if (epsSteering != null && step < settings.burnIn()) {
                        eps = epsSteering.update(a, step);
                        precondStale = true;
                    }
                    acceptanceSum += a;
                    acceptanceCount++;
                    if (random.nextDouble() < a) {
                        System.arraycopy(proposal, 0, w, 0, d);
                        reuseProposal = true;
                    } else {
                        currentLoss = loss;
                        reuseCurrent = true;
                    }
                    continue;
                }
                boolean measure = settings.malaEvery() > 0 && step % settings.malaEvery() == 0;
                if (measure) {
                    double potential = nBeta * loss + 0.5 * gamma * distance;
                    double a = malaAcceptance(evaluator, w, drift, precond, noiseScale, potential, center, nBeta, eps,
                            batch, batchSize, random, proposal, proposalGrad, proposalLoss);
                    if (Double.isNaN(a)) {
                        diverged = true;
                        notes.add("chain " + chainIndex + " diverged at step " + step + ": non-finite proposal");
                        break;
                    }
                    acceptanceSum += a;
                    acceptanceCount++;
                    // The proposal drawn for the measurement is the step itself: the chain is not altered.
                    System.arraycopy(proposal, 0, w, 0, d);
                    continue;
                }
                for (int i = 0; i < d; i++) {
                    if (rms) {
                        w[i] += -halfEps * precond[i] * drift[i] + noiseScale[i] * random.nextGaussian();
                    } else {
                        w[i] += -halfEps * drift[i] + sqrtEps * random.nextGaussian();
                    }
                }
            }
            elapsedNanos += System.nanoTime() - started;
        }

        /**
         * Burn-in of an adjusted chain also learns the preconditioner from the drift where it proposed to go. A chain
         * that starts at a minimum sees almost no drift there, so v stays near 0 and the step near its cap 1/δ in
         * every direction; in the stiff ones every proposal is then rejected and the chain never moves to learn
         * otherwise (a trained deep linear network: acceptance 0 from the first step to the last). The burn-in's
         * draws are discarded, so adapting on proposals costs the recorded chain nothing.
         */
        private void adaptToProposal(double gamma) {
            for (int i = 0; i < w.length; i++) {
                double proposed = nBeta * proposalGrad[i] + gamma * (proposal[i] - center[i]);
                v[i] = RMS_DECAY * v[i] + (1 - RMS_DECAY) * proposed * proposed;
            }
            precondStale = true;
        }

        /**
         * Offers one symmetry move from w, with grad its gradient, accepted with probability
         * min(1, exp(−(γ/2)(‖w' − w*‖² − ‖w − w*‖²))·|J|): the loss is the same at both ends, so the move costs no
         * evaluation. In burn-in its size steers towards {@link #SYMMETRY_TARGET_ACCEPTANCE}, like ε.
         */
        private void moveAlongSymmetry(double gamma) {
            double logAlpha = symmetry.apply(w, grad, symmetryScale, random)
                    - 0.5 * gamma * symmetry.squaredDistanceChange(w, center);
            double a = Double.isNaN(logAlpha) ? 0 : Math.min(1, Math.exp(logAlpha));
            if (step < settings.burnIn()) {
                symmetryScale = symmetrySteering.update(a, step);
            } else {
                symmetryAcceptanceSum += a;
                symmetryOffers++;
            }
            if (!(random.nextDouble() < a)) {
                symmetry.undo(w, grad);
            }
        }

        ChainResult result() {
            double[] kept = recorded == losses.length ? losses : java.util.Arrays.copyOf(losses, recorded);
            return new ChainResult(chainIndex, temperatureIndex, nBeta, seed, centerLoss, kept,
                    recorded == 0 ? Double.NaN : distanceSum / recorded,
                    acceptanceCount == 0 ? Double.NaN : acceptanceSum / acceptanceCount, diverged, step,
                    elapsedNanos, List.copyOf(notes), swapAcceptance, metropolis,
                    symmetryOffers == 0 ? Double.NaN : symmetryAcceptanceSum / symmetryOffers);
        }
    }

    /**
     * Draws the SGLD proposal x' into {@code proposal} (the very step the chain then takes) and returns the
     * Metropolis-adjusted acceptance probability of it on the same minibatch:
     * min(1, exp(U(x) − U(x') + log q(x'→x) − log q(x→x'))) with U = nβ·L_B + (γ/2)‖w − w*‖².
     * NaN when the proposal's loss is not finite. The proposal's loss goes to {@code proposalLoss[0]}, its
     * gradient to {@code proposalGrad}.
     */
    private double malaAcceptance(LossModel.Evaluator evaluator, double[] x, double[] drift, double[] precond,
                                  double[] noiseScale, double potential, double[] center, double nBeta, double eps, int[] batch,
                                  int size, SplittableRandom random, double[] proposal, double[] proposalGrad,
                                  double[] proposalLoss) {
        double gamma = settings.gamma();
        int d = x.length;
        double logForward = 0;
        for (int i = 0; i < d; i++) {
            double g = precond[i];
            double z = random.nextGaussian();
            proposal[i] = x[i] - 0.5 * eps * g * drift[i] + noiseScale[i] * z;
            logForward -= 0.5 * z * z;
        }
        double lossAtProposal = evaluator.lossAndGradient(proposal, batch, size, proposalGrad);
        proposalLoss[0] = lossAtProposal;
        if (!Double.isFinite(lossAtProposal)) {
            return Double.NaN;
        }
        double distance = 0;
        double logBackward = 0;
        for (int i = 0; i < d; i++) {
            double g = precond[i];
            double offset = proposal[i] - center[i];
            distance += offset * offset;
            double backDrift = nBeta * proposalGrad[i] + gamma * offset;
            double r = x[i] - proposal[i] + 0.5 * eps * g * backDrift;
            logBackward -= r * r / (2 * eps * g);
        }
        double proposalPotential = nBeta * lossAtProposal + 0.5 * gamma * distance;
        double logAlpha = potential - proposalPotential + logBackward - logForward;
        if (Double.isNaN(logAlpha)) {
            return Double.NaN;
        }
        return logAlpha >= 0 ? 1.0 : Math.exp(logAlpha);
    }

    /**
     * The indices of a full batch, every sample once. Above {@link LossModel#FULL_BATCH_INDEX_LIMIT} samples none
     * are passed: such a model evaluates a batch of size n from its whole data (a deep linear network from its
     * sufficient statistics), and an index array would cost gigabytes per chain.
     */
    private static int[] fullBatch(int n) {
        if (n > LossModel.FULL_BATCH_INDEX_LIMIT) {
            return new int[0];
        }
        int[] all = new int[n];
        for (int i = 0; i < n; i++) {
            all[i] = i;
        }
        return all;
    }

    private static void shuffle(int[] a, SplittableRandom random) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }

    /** A chain's seed from the root seed and its place: independent of thread scheduling. */
    public static long chainSeed(long root, int chainIndex, int temperatureIndex) {
        long z = root + 0x9E3779B97F4A7C15L * (1L + chainIndex + 1_000_003L * temperatureIndex);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
