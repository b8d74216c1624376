package dev.spectroscope.slt.reference;

import dev.spectroscope.slt.model.LossModel;
import java.util.Arrays;

/**
 * The normal-crossing potential K(w) = Π w_i^(2 k_i) with prior ∝ Π |w_i|^(h_i) near w* = 0, whose
 * learning coefficient is λ = min (h_i + 1)/(2 k_i) with m the number of minimisers (SCIENCE.md §5).
 *
 * <p>The prior power is carried by a change of variables rather than a −h·log|w| term, whose gradient
 * is infinite at the centre: with w = sign(u)·|u|^(1/(h+1)) the measure |w|^h dw is uniform in u, and K
 * becomes Π |u_i|^(2 k_i/(h_i+1)). The learning coefficient is a property of the measure, so it is the
 * same in both coordinates, and the sampler sees a flat prior as usual.
 *
 * <p>There is no data: the "loss" is K itself, exact, and n only sets the temperature nβ.
 */
public final class NormalCrossing implements LossModel {

    private final int[] k;
    private final int[] h;
    private final double[] power;
    private final int n;

    public NormalCrossing(int[] k, int[] h, int n) {
        LearningCoefficients.normalCrossing(k, h); // validates
        this.k = k.clone();
        this.h = h.clone();
        this.n = n;
        this.power = new double[k.length];
        for (int i = 0; i < k.length; i++) {
            power[i] = 2.0 * k[i] / (h[i] + 1.0);
        }
    }

    public TrueCoefficient truth() {
        return LearningCoefficients.normalCrossing(k, h);
    }

    @Override
    public int dimension() {
        return k.length;
    }

    @Override
    public int sampleCount() {
        return n;
    }

    @Override
    public double[] center() {
        return new double[k.length];
    }

    @Override
    public String describe() {
        return "normal-crossing k=" + Arrays.toString(k) + " h=" + Arrays.toString(h);
    }

    @Override
    public Evaluator newEvaluator() {
        return new Evaluator() {
            @Override
            public double lossAndGradient(double[] w, int[] batch, int size, double[] gradient) {
                return evaluate(w, gradient);
            }

            @Override
            public double loss(double[] w, int[] batch, int size) {
                return evaluate(w, null);
            }

            @Override
            public double fullLoss(double[] w) {
                return evaluate(w, null);
            }
        };
    }

    private double evaluate(double[] u, double[] gradient) {
        int d = power.length;
        double product = 1.0;
        for (int i = 0; i < d; i++) {
            product *= Math.pow(Math.abs(u[i]), power[i]);
        }
        if (gradient != null) {
            for (int i = 0; i < d; i++) {
                // ∂/∂u_i Π|u_j|^p_j = p_i·sign(u_i)·|u_i|^(p_i−1)·Π_{j≠i}|u_j|^p_j, computed without dividing by u_i.
                double others = 1.0;
                for (int j = 0; j < d; j++) {
                    if (j != i) {
                        others *= Math.pow(Math.abs(u[j]), power[j]);
                    }
                }
                double a = Math.abs(u[i]);
                gradient[i] = power[i] == 0 ? 0 : power[i] * Math.signum(u[i]) * Math.pow(a, power[i] - 1) * others;
                if (a == 0 && power[i] < 1) {
                    gradient[i] = 0; // a subgradient at the kink
                }
            }
        }
        return product;
    }
}
