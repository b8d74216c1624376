package dev.spectroscope.slt.reference;

import dev.spectroscope.slt.model.LossModel;

/**
 * The toy model of superposition (Elhage et al. 2022; SCIENCE.md §5) as a loss function: h = W x with
 * W ∈ R^(H×F), x̂ = ReLU(Wᵀ h + b), loss = mean over samples of ‖x − x̂‖². Plain Java: with a few dozen
 * parameters the per-op cost of ND4J would be most of the work.
 *
 * <p>Parameter layout (the one the TMS example checkpoints): W row-major (H×F), then b (F).
 */
public final class ToyModelOfSuperposition implements LossModel {

    private final int features;
    private final int hidden;
    private final int n;
    private final float[] data;
    private final double[] center;

    /**
     * @param data   n × features inputs, row-major (the target is the input)
     * @param center the parameters to probe around, W then b
     */
    public ToyModelOfSuperposition(int features, int hidden, float[] data, double[] center) {
        if (features < 1 || hidden < 1) {
            throw new IllegalArgumentException("TMS needs at least one feature and one hidden unit, got F=" + features
                    + ", H=" + hidden);
        }
        if (data.length == 0 || data.length % features != 0) {
            throw new IllegalArgumentException("TMS data must be n × " + features + " values, got " + data.length);
        }
        if (center.length != hidden * features + features) {
            throw new IllegalArgumentException("TMS with F=" + features + ", H=" + hidden + " has "
                    + (hidden * features + features) + " parameters, the centre has " + center.length);
        }
        this.features = features;
        this.hidden = hidden;
        this.n = data.length / features;
        this.data = data;
        this.center = center.clone();
    }

    public static int parameterCount(int features, int hidden) {
        return hidden * features + features;
    }

    @Override
    public int dimension() {
        return center.length;
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
        return "tms F=" + features + " H=" + hidden + " n=" + n;
    }

    @Override
    public Evaluator newEvaluator() {
        return new Evaluator() {
            private final double[] h = new double[hidden];
            private final double[] dh = new double[hidden];
            private final double[] g = new double[features];

            @Override
            public double lossAndGradient(double[] w, int[] batch, int size, double[] gradient) {
                java.util.Arrays.fill(gradient, 0);
                double total = 0;
                for (int s = 0; s < size; s++) {
                    total += sample(w, batch[s], gradient);
                }
                double scale = 1.0 / size;
                for (int i = 0; i < gradient.length; i++) {
                    gradient[i] *= scale;
                }
                return total * scale;
            }

            @Override
            public double loss(double[] w, int[] batch, int size) {
                double total = 0;
                for (int s = 0; s < size; s++) {
                    total += sample(w, batch[s], null);
                }
                return total / size;
            }

            @Override
            public double fullLoss(double[] w) {
                double total = 0;
                for (int s = 0; s < n; s++) {
                    total += sample(w, s, null);
                }
                return total / n;
            }

            /** ‖x − ReLU(WᵀWx + b)‖² for one sample; adds its gradient when {@code gradient} is not null. */
            private double sample(double[] w, int row, double[] gradient) {
                int x0 = row * features;
                int bias = hidden * features;
                for (int r = 0; r < hidden; r++) {
                    double sum = 0;
                    for (int i = 0; i < features; i++) {
                        float xi = data[x0 + i];
                        if (xi != 0) {
                            sum += w[r * features + i] * xi;
                        }
                    }
                    h[r] = sum;
                }
                double loss = 0;
                for (int j = 0; j < features; j++) {
                    double z = w[bias + j];
                    for (int r = 0; r < hidden; r++) {
                        z += w[r * features + j] * h[r];
                    }
                    double y = Math.max(0, z);
                    double e = y - data[x0 + j];
                    loss += e * e;
                    g[j] = z > 0 ? 2 * e : 0;
                }
                if (gradient != null) {
                    for (int r = 0; r < hidden; r++) {
                        double sum = 0;
                        for (int j = 0; j < features; j++) {
                            sum += g[j] * w[r * features + j];
                            gradient[r * features + j] += g[j] * h[r]; // decoder path
                        }
                        dh[r] = sum;
                    }
                    for (int j = 0; j < features; j++) {
                        gradient[bias + j] += g[j];
                    }
                    for (int r = 0; r < hidden; r++) {
                        for (int i = 0; i < features; i++) {
                            float xi = data[x0 + i];
                            if (xi != 0) {
                                gradient[r * features + i] += dh[r] * xi; // encoder path
                            }
                        }
                    }
                }
                return loss;
            }
        };
    }
}
