package dev.spectroscope.slt.testing;

import dev.spectroscope.slt.model.LossModel;

/**
 * L(w) = Σ a_i (w_i − m_i)² / 2 around a centre c: a regular model (λ = d/2 when c = m) with whatever
 * defect a test needs — a centre that is not the minimum, or a loss that turns NaN after some calls.
 */
public final class Quadratic implements LossModel {

    private final double[] curvature;
    private final double[] minimum;
    private final double[] center;
    private final int n;
    private final long nanAfterCalls;

    public Quadratic(double[] curvature, double[] minimum, double[] center, int n, long nanAfterCalls) {
        this.curvature = curvature.clone();
        this.minimum = minimum.clone();
        this.center = center.clone();
        this.n = n;
        this.nanAfterCalls = nanAfterCalls;
    }

    /** A regular model of dimension d, centred at its minimum 0, unit curvature. */
    public static Quadratic regular(int d, int n) {
        double[] a = new double[d];
        java.util.Arrays.fill(a, 1.0);
        return new Quadratic(a, new double[d], new double[d], n, Long.MAX_VALUE);
    }

    @Override
    public int dimension() {
        return curvature.length;
    }

    @Override
    public int sampleCount() {
        return n;
    }

    @Override
    public double[] center() {
        return center.clone();
    }

    @Override
    public String describe() {
        return "quadratic d=" + curvature.length;
    }

    @Override
    public Evaluator newEvaluator() {
        return new Evaluator() {
            private long calls;

            @Override
            public double lossAndGradient(double[] w, int[] batch, int size, double[] gradient) {
                double loss = 0;
                for (int i = 0; i < w.length; i++) {
                    double e = w[i] - minimum[i];
                    loss += 0.5 * curvature[i] * e * e;
                    gradient[i] = curvature[i] * e;
                }
                return ++calls > nanAfterCalls ? Double.NaN : loss;
            }

            @Override
            public double loss(double[] w, int[] batch, int size) {
                return lossAndGradient(w, batch, size, new double[w.length]);
            }

            @Override
            public double fullLoss(double[] w) {
                double loss = 0;
                for (int i = 0; i < w.length; i++) {
                    double e = w[i] - minimum[i];
                    loss += 0.5 * curvature[i] * e * e;
                }
                return loss;
            }
        };
    }
}
