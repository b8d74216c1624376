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

    /**
     * E[nβ·K] under the distribution a sampler of this potential targets, ∝ exp(−nβ·K(u) − (γ/2)‖u‖²) in the
     * sampler's coordinates u (the prior power is in the change of variables), by quadrature. This is what λ̂
     * converges to with a perfect sampler at this nβ: a known answer at finite temperature, so that the sampler's
     * error (λ̂ against it) and the estimator's own finite-nβ bias (it against λ, for m ≥ 2 about
     * −(m−1)/(log nβ − ψ(λ))) can be told apart.
     *
     * <p>The integrand is even in every coordinate, so the positive orthant suffices; there it is taken in
     * x = log u (dx = du/u), on [−45, 3] per coordinate — the mass below e^(−45) is e^(−45) of the whole and the
     * Gaussian factor has none above e^3 for γ ≥ 1/10. A smooth integrand decaying at both ends: the plain sum
     * converges fast (600 points per coordinate agree with 4,800 to 1e-15 in two dimensions, 200 with 300 to
     * 1e-8 in three).
     *
     * @throws IllegalArgumentException for more than three coordinates (the grid would be too large) or γ ≤ 0
     */
    public double expectedEnergy(double nBeta, double gamma) {
        int d = power.length;
        if (d > 3) {
            throw new IllegalArgumentException("expectedEnergy integrates up to 3 coordinates, this potential has " + d);
        }
        if (!(gamma >= 0.1) || !(nBeta > 0)) {
            throw new IllegalArgumentException("expectedEnergy needs γ ≥ 0.1 and nβ > 0, was γ = " + gamma
                    + ", nβ = " + nBeta);
        }
        int points = d == 1 ? 4000 : d == 2 ? 600 : 200;
        double lo = -45;
        double hi = Math.log(Math.sqrt(20 / gamma)) + 1;
        double[] x = new double[points];
        double[] square = new double[points];
        for (int j = 0; j < points; j++) {
            x[j] = lo + (hi - lo) * j / (points - 1);
            square[j] = Math.exp(2 * x[j]);
        }
        double logS = Math.log(nBeta);
        int[] index = new int[d];
        int total = 1;
        for (int i = 0; i < d; i++) {
            total *= points;
        }
        // log of the integrand (Jacobian included) and s·K at each grid point, in two passes: the first finds the
        // largest exponent so that the second sums without overflow or underflow.
        double top = Double.NEGATIVE_INFINITY;
        for (int pass = 0; pass < 2; pass++) {
            double weightSum = 0;
            double energySum = 0;
            java.util.Arrays.fill(index, 0);
            for (int cell = 0; cell < total; cell++) {
                double logK = 0;
                double gauss = 0;
                double jacobian = 0;
                for (int i = 0; i < d; i++) {
                    int j = index[i];
                    logK += power[i] * x[j];
                    gauss += square[j];
                    jacobian += x[j];
                }
                double sK = Math.exp(logS + logK);
                double logW = -sK - 0.5 * gamma * gauss + jacobian;
                if (pass == 0) {
                    top = Math.max(top, logW);
                } else {
                    double w = Math.exp(logW - top);
                    weightSum += w;
                    energySum += w * sK;
                }
                for (int i = d - 1; i >= 0; i--) { // the next grid point, last coordinate fastest
                    if (++index[i] < points) {
                        break;
                    }
                    index[i] = 0;
                }
            }
            if (pass == 1) {
                return energySum / weightSum;
            }
        }
        throw new AssertionError();
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
