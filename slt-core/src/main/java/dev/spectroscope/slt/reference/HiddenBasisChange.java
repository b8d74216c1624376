package dev.spectroscope.slt.reference;

import dev.spectroscope.slt.model.SymmetryMove;
import java.util.SplittableRandom;

/**
 * A deep linear network's loss-preserving move: one hidden layer k, drawn uniformly, changes basis by an elementary
 * invertible D, so W_k → D W_k and W_{k+1} → W_{k+1} D⁻¹ and the product W_L ⋯ W_1 is unchanged. Half the draws are
 * a shear D = I + t·e_i e_jᵀ (i ≠ j; row i of W_k gains t·row j, column j of W_{k+1} loses t·column i), half a
 * rescaling of one unit, D = I + (eᵘ − 1)·e_i e_iᵀ; t and u are N(0, scale²). Shears and rescalings generate the
 * whole group GL(H_k) of the layer's basis changes, and each touches one row of W_k and one column of W_{k+1}:
 * O(H_{k−1} + H_{k+1}) work where a dense D would cost O(H_k²(H_{k−1} + H_{k+1})) and a matrix inverse.
 *
 * <p>t and −t (u and −u) are equally likely and give D and D⁻¹, so the move is its own reverse draw. The Jacobian
 * is det(D)^{H_{k−1} − H_{k+1}}: 1 for a shear, e^{u(H_{k−1} − H_{k+1})} for a rescaling. The gradient follows as
 * ∇_k → D^{−T}∇_k and ∇_{k+1} → ∇_{k+1} Dᵀ.
 */
final class HiddenBasisChange implements SymmetryMove {

    private final int[] widths;
    private final int[] offsets;
    // The entries the last move touched, as indices into w, and their old values in w and in the gradient.
    private final int[] touched;
    private final double[] oldW;
    private final double[] oldGradient;
    private int count;

    /** @param offsets where each layer's matrix (H_{j+1} × H_j, row-major) starts in the flat vector */
    HiddenBasisChange(int[] widths, int[] offsets) {
        if (widths.length < 3) {
            throw new IllegalArgumentException("a network with no hidden layer has no basis to change: widths "
                    + java.util.Arrays.toString(widths));
        }
        this.widths = widths.clone();
        this.offsets = offsets.clone();
        int most = 0;
        for (int k = 1; k < widths.length - 1; k++) {
            most = Math.max(most, 2 * (widths[k - 1] + widths[k + 1]));
        }
        touched = new int[most];
        oldW = new double[most];
        oldGradient = new double[most];
    }

    @Override
    public double apply(double[] w, double[] gradient, double scale, SplittableRandom random) {
        count = 0;
        int k = 1 + random.nextInt(widths.length - 2);
        int h = widths[k];
        int in = widths[k - 1];
        int out = widths[k + 1];
        int below = offsets[k - 1]; // W_k: h × in, row-major
        int above = offsets[k];     // W_{k+1}: out × h, row-major
        if (h >= 2 && random.nextBoolean()) {
            int i = random.nextInt(h);
            int j = random.nextInt(h - 1);
            if (j >= i) {
                j++;
            }
            double t = scale * random.nextGaussian();
            // D = I + t e_i e_jᵀ: W_k's row i gains t·row j and ∇_k's row j loses t·row i (D^{−T} = I − t e_j e_iᵀ);
            // W_{k+1}'s column j loses t·column i (D⁻¹ = I − t e_i e_jᵀ) and ∇_{k+1}'s column i gains t·column j.
            for (int c = 0; c < in; c++) {
                int wi = below + i * in + c;
                int gj = below + j * in + c;
                keep(wi, w, gradient);
                keep(gj, w, gradient);
                w[wi] += t * w[below + j * in + c];
                gradient[gj] -= t * gradient[wi];
            }
            for (int r = 0; r < out; r++) {
                int wj = above + r * h + j;
                int gi = above + r * h + i;
                keep(wj, w, gradient);
                keep(gi, w, gradient);
                w[wj] -= t * w[gi];
                gradient[gi] += t * gradient[wj];
            }
            return 0;
        }
        int i = random.nextInt(h);
        double u = scale * random.nextGaussian();
        double grow = Math.exp(u);
        double shrink = 1 / grow;
        for (int c = 0; c < in; c++) {
            int e = below + i * in + c;
            keep(e, w, gradient);
            w[e] *= grow;
            gradient[e] *= shrink;
        }
        for (int r = 0; r < out; r++) {
            int e = above + r * h + i;
            keep(e, w, gradient);
            w[e] *= shrink;
            gradient[e] *= grow;
        }
        return u * (in - out);
    }

    /** Remembers entry e's values before this move first changes them. */
    private void keep(int e, double[] w, double[] gradient) {
        touched[count] = e;
        oldW[count] = w[e];
        oldGradient[count] = gradient[e];
        count++;
    }

    @Override
    public double squaredDistanceChange(double[] w, double[] center) {
        double change = 0;
        for (int m = 0; m < count; m++) { // every entry is kept once; those whose w did not change add 0
            int e = touched[m];
            double now = w[e] - center[e];
            double before = oldW[m] - center[e];
            change += now * now - before * before;
        }
        return change;
    }

    @Override
    public int groups() {
        return widths.length - 2;
    }

    @Override
    public void undo(double[] w, double[] gradient) {
        for (int m = count - 1; m >= 0; m--) {
            w[touched[m]] = oldW[m];
            gradient[touched[m]] = oldGradient[m];
        }
        count = 0;
    }
}
