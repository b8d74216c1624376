package dev.spectroscope.slt.model;

/**
 * A model seen as what the sampler needs: a loss function of a flat parameter vector, over n samples.
 * The loss is the mean negative log-likelihood per sample (SCIENCE.md §1), so that n·β·L is a
 * log-posterior.
 *
 * <p>Evaluation happens through an {@link Evaluator}, one per chain: an evaluator may hold scratch
 * buffers or its own copy of a network, so chains run in parallel without sharing mutable state. The
 * caller's model is never modified.
 */
public interface LossModel {

    /**
     * Above this many samples a full batch is passed to {@link Evaluator#lossAndGradient} without indices
     * ({@code size} = n, {@code batch} empty): a model that large must evaluate size ≥ n from all its data.
     */
    int FULL_BATCH_INDEX_LIMIT = 1 << 24;

    /** Number of parameters d. */
    int dimension();

    /** Number of samples n behind the loss; the sampler's minibatches index into [0, n). */
    int sampleCount();

    /** A copy of the parameters to probe around (the centre w*). */
    double[] center();

    /** A new evaluator for one chain (one thread). */
    Evaluator newEvaluator();

    /** A short description for reports, e.g. {@code dln[5,3,5] rank 1}. */
    String describe();

    /** Loss and gradient of one model on one thread. */
    interface Evaluator {

        /**
         * Mean loss over the samples {@code batch[0 .. size)} at {@code w}; writes the gradient of that mean
         * into {@code gradient} (length d) and returns the loss. A full batch lists every sample once; above
         * {@link #FULL_BATCH_INDEX_LIMIT} samples it comes with size = n and no indices.
         */
        double lossAndGradient(double[] w, int[] batch, int size, double[] gradient);

        /** Mean loss over the samples {@code batch[0 .. size)} at {@code w}. */
        double loss(double[] w, int[] batch, int size);

        /** Mean loss over all n samples at {@code w}. */
        double fullLoss(double[] w);

        /** This evaluator's own loss-preserving move for the sampler to propose, or null where the model knows none. */
        default SymmetryMove symmetryMove() {
            return null;
        }
    }
}
