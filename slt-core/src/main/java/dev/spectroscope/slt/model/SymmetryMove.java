package dev.spectroscope.slt.model;

import java.util.SplittableRandom;

/**
 * A random transformation of the parameters that leaves the loss unchanged, which the sampler proposes as a
 * Metropolis–Hastings move. A singular model's minimum set is swept out by such symmetries (a deep linear network's
 * hidden layers can change basis, W_{k+1} W_k = (W_{k+1} D⁻¹)(D W_k)), and along them only the localization term
 * confines the posterior: Langevin steps, whose size the stiff directions set, diffuse across that set far too
 * slowly at large nβ, while a move along it changes the loss by rounding only.
 *
 * <p>The symmetry must be exact: the sampler keeps the loss it had and the gradient the move transforms
 * (∇L(T w) = J_T^{−T} ∇L(w)), and accepts on the localization term and the Jacobian alone. A move touches a few
 * coordinates in place and can be undone, so it costs far less than a loss and gradient.
 *
 * <p>One instance per evaluator: it keeps the last move's state.
 */
public interface SymmetryMove {

    /**
     * Applies to {@code w} and to its loss gradient {@code gradient}, in place, a transformation T drawn at relative
     * size {@code scale}; returns log |det ∂(T w)/∂w|. Drawing T must be exactly as likely as drawing T⁻¹, so that
     * accepting with probability π(T w)·|J| / π(w) keeps the posterior π.
     */
    double apply(double[] w, double[] gradient, double scale, SplittableRandom random);

    /** ‖T w − c‖² − ‖w − c‖² for the last move applied, {@code w} now being T w. */
    double squaredDistanceChange(double[] w, double[] center);

    /**
     * How many independent groups the symmetry is the product of (a deep linear network: one per hidden layer); the
     * sampler offers its moves per group, so that each gets the same share whatever the depth.
     */
    default int groups() {
        return 1;
    }

    /** Restores, bit for bit, what the last {@link #apply} changed in {@code w} and {@code gradient}. */
    void undo(double[] w, double[] gradient);
}
