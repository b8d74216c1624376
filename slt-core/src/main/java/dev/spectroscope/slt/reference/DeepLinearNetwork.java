package dev.spectroscope.slt.reference;

import dev.spectroscope.slt.model.LossModel;
import dev.spectroscope.slt.model.SymmetryMove;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * A deep linear network f(x) = W_L ⋯ W_1 x learning a teacher of rank r from Gaussian data, the
 * reference model whose learning coefficient Aoyagi's formula gives (SCIENCE.md §5).
 *
 * <p>Data: x ~ N(0, I), y = W₀ x + σ·ε with W₀ of rank r. The loss is the Gaussian negative
 * log-likelihood per sample, ‖y − W x‖² / (2σ²) up to a constant. Parameters are the layers' matrices,
 * row-major (output × input), concatenated from W_1 to W_L.
 *
 * <p>Minibatch evaluation runs over the stored samples; the full-data loss and gradient use the
 * sufficient statistics Σxx, Σyx, Σyy, so they cost the same for any n. The noise is projected off the inputs'
 * span ({@link #projectNoiseOffInputs}), so the empirical minimum set is exactly {W_L ⋯ W_1 = W₀}.
 *
 * <p>Where on that set the estimator is centred decides what it measures: the local coefficient of the centre,
 * which varies along the set. Aoyagi's λ is its minimum, attained at the most singular point, where every layer
 * has rank r ({@link Centre#SINGULAR}, the default; for rank 0 the origin). For rank 0 that is exact: the loss is
 * homogeneous, K(tw) = t^{2L} K(w), so scaling a point of the set keeps its local coefficient, and every
 * neighbourhood of the origin holds a scaled copy of every point. Training ends at a generic point of the set
 * ({@link Centre#TRAINED}), where the local coefficient can be larger: trained centres put dln[9,5,2,3,3,6] rank 0
 * (λ = 5/2) at +58% and +75%, and dln[4,2,3,5,9,7] rank 1 (λ = 6) at +21%.
 */
public final class DeepLinearNetwork implements LossModel {

    /** Above this many samples the data are not stored, only their sufficient statistics. */
    public static final int MAX_STORED_SAMPLES = 2_000_000;

    /** Where on the minimum set {W_L ⋯ W_1 = W₀} the estimator is centred. */
    public enum Centre {
        /**
         * The most singular point: W₀ factored through r hidden units of every layer, every spare hidden direction
         * zero on both sides (for rank 0, the origin). Its local learning coefficient is Aoyagi's λ, the known answer.
         */
        SINGULAR,
        /**
         * Where training from PyTorch's default initialisation ends (full-batch Adam, then gradient descent), as
         * public practice trains to the teacher; with one hidden layer its spare directions then moved to their
         * cheaper side. Its local coefficient can exceed λ: where training ends is an accident of the initialisation.
         */
        TRAINED
    }

    private final int[] widths;
    private final int layers;
    private final int rank;
    private final int n;
    private final double noiseStd;
    private final int[] offsets;
    private final int dimension;
    private final double[] x;        // n × H_0, null when n is above MAX_STORED_SAMPLES
    private final double[] y;        // n × H_L, likewise
    private final double[] sxx;      // H_0 × H_0, (1/n) Σ x xᵀ
    private final double[] syx;      // H_L × H_0, (1/n) Σ y xᵀ
    private final double syy;        // (1/n) Σ yᵀy
    private final double[] teacher;  // H_L × H_0
    private final Centre centre;
    private final double[] center;
    private final double centerGradientNorm;

    /**
     * @param widths   [H_0 = inputs, H_1, …, H_L = outputs]
     * @param rank     rank of the teacher's map
     * @param n        number of samples
     * @param noiseStd σ of the output noise
     * @param seed     seeds the teacher, the data and the student's initialisation
     */
    public DeepLinearNetwork(int[] widths, int rank, int n, double noiseStd, long seed) {
        this(widths, rank, n, noiseStd, seed, Centre.SINGULAR);
    }

    /**
     * @param centre where on the minimum set to centre the estimator
     */
    public DeepLinearNetwork(int[] widths, int rank, int n, double noiseStd, long seed, Centre centre) {
        LearningCoefficients.deepLinearNetwork(widths, rank); // validates the shape
        if (n <= widths[0]) {
            throw new IllegalArgumentException("a deep linear network with " + widths[0] + " inputs needs more samples "
                    + "than inputs (the noise is regressed on them), was n = " + n);
        }
        this.widths = widths.clone();
        this.layers = widths.length - 1;
        this.rank = rank;
        this.n = n;
        this.noiseStd = noiseStd;
        this.offsets = new int[layers + 1];
        for (int j = 0; j < layers; j++) {
            offsets[j + 1] = offsets[j] + widths[j + 1] * widths[j];
        }
        this.dimension = offsets[layers];
        SplittableRandom random = new SplittableRandom(seed);
        int in = widths[0];
        int out = widths[layers];
        this.teacher = randomRankR(out, in, rank, random);
        this.sxx = new double[in * in];
        this.syx = new double[out * in];
        if (n <= MAX_STORED_SAMPLES) {
            this.x = new double[n * in];
            this.y = new double[n * out];
            drawSamples(random);
            this.syy = projectNoiseOffInputs();
        } else {
            // Too many samples to hold: draw their sufficient statistics directly. Only full-batch
            // evaluation is possible then.
            this.x = null;
            this.y = null;
            double yy = drawSufficientStatistics(random);
            this.syy = projectNoiseStatistics(yy);
        }
        this.centre = centre;
        this.center = centre == Centre.SINGULAR ? singularFactorization() : train(random);
        double[] g = new double[dimension];
        new FullData().lossAndGradient(center, g);
        this.centerGradientNorm = norm(g);
    }

    private void drawSamples(SplittableRandom random) {
        int in = widths[0];
        int out = widths[layers];
        for (int i = 0; i < n; i++) {
            for (int a = 0; a < in; a++) {
                x[i * in + a] = random.nextGaussian();
            }
            for (int b = 0; b < out; b++) {
                double v = noiseStd * random.nextGaussian();
                for (int a = 0; a < in; a++) {
                    v += teacher[b * in + a] * x[i * in + a];
                }
                y[i * out + b] = v;
            }
            for (int a = 0; a < in; a++) {
                double xa = x[i * in + a];
                for (int c = 0; c < in; c++) {
                    sxx[a * in + c] += xa * x[i * in + c];
                }
                for (int b = 0; b < out; b++) {
                    syx[b * in + a] += y[i * out + b] * xa;
                }
            }
        }
        for (int k = 0; k < sxx.length; k++) {
            sxx[k] /= n;
        }
        for (int k = 0; k < syx.length; k++) {
            syx[k] /= n;
        }
    }

    /**
     * The noise's sample correlation with the inputs, Σ_εx = O(σ/√n), makes the empirical least-squares map
     * W₀ + σ Σ_εx Σxx⁻¹ rather than the teacher W₀: full rank, so the empirical minimum set is not the teacher's, and
     * a centre built from the teacher (the origin for rank 0) is not a minimum; chains centred there drift towards
     * the fitted noise (λ̂ 8–10% low in a scratch run on dln[4,4,4] and dln[2,4,4,2] rank 0). Projecting the noise
     * off the inputs' span (y ← y − C x with C = (Σyx − W₀Σxx) Σxx⁻¹, an ordinary least-squares residual) makes
     * Σyx = W₀ Σxx exactly, so the empirical loss is L(W₀) + tr((P − W₀) Σxx (P − W₀)ᵀ)/(2σ²) and its minimum set
     * is {P = W₀}; the population loss, and so λ, is unchanged.
     *
     * @return the new (1/n) Σ yᵀy
     */
    private double projectNoiseOffInputs() {
        int in = widths[0];
        int out = widths[layers];
        double[] c = noiseOnInputs();
        Arrays.fill(syx, 0.0);
        double yy = 0;
        for (int i = 0; i < n; i++) {
            for (int b = 0; b < out; b++) {
                double v = y[i * out + b];
                for (int a = 0; a < in; a++) {
                    v -= c[b * in + a] * x[i * in + a];
                }
                y[i * out + b] = v;
                yy += v * v;
                for (int a = 0; a < in; a++) {
                    syx[b * in + a] += v * x[i * in + a];
                }
            }
        }
        for (int k = 0; k < syx.length; k++) {
            syx[k] /= n; // W₀ Σxx up to rounding
        }
        return yy / n;
    }

    /**
     * {@link #projectNoiseOffInputs} on the sufficient statistics alone: with y' = y − C x,
     * Σy'x = Σyx − C Σxx and Σy'y' = Σyy − 2 tr(C Σxy) + tr(C Σxx Cᵀ).
     *
     * @return the new Σyy
     */
    private double projectNoiseStatistics(double yy) {
        int in = widths[0];
        int out = widths[layers];
        double[] c = noiseOnInputs();
        for (int b = 0; b < out; b++) {
            for (int a = 0; a < in; a++) {
                double cSxx = 0;
                for (int k = 0; k < in; k++) {
                    cSxx += c[b * in + k] * sxx[k * in + a];
                }
                yy += -2 * c[b * in + a] * syx[b * in + a] + c[b * in + a] * cSxx;
                syx[b * in + a] -= cSxx;
            }
        }
        return yy;
    }

    /** C = (Σyx − W₀ Σxx) Σxx⁻¹, the noise's least-squares regression on the inputs (out × in), row by row. */
    private double[] noiseOnInputs() {
        int in = widths[0];
        int out = widths[layers];
        double[] c = new double[out * in];
        double[] cholesky = cholesky(sxx, in);
        for (int b = 0; b < out; b++) {
            double[] row = new double[in];
            for (int a = 0; a < in; a++) {
                double v = syx[b * in + a];
                for (int k = 0; k < in; k++) {
                    v -= teacher[b * in + k] * sxx[k * in + a];
                }
                row[a] = v;
            }
            choleskySolve(cholesky, in, row); // Σxx is symmetric: Σxx cᵀ = (Σyx − W₀Σxx)ᵀ row by row
            System.arraycopy(row, 0, c, b * in, in);
        }
        return c;
    }

    /** The lower-triangular L with L Lᵀ = A, for a small symmetric positive-definite A (row-major, size × size). */
    private static double[] cholesky(double[] a, int size) {
        double[] l = new double[size * size];
        for (int i = 0; i < size; i++) {
            for (int j = 0; j <= i; j++) {
                double v = a[i * size + j];
                for (int k = 0; k < j; k++) {
                    v -= l[i * size + k] * l[j * size + k];
                }
                l[i * size + j] = i == j ? Math.sqrt(v) : v / l[j * size + j];
            }
        }
        return l;
    }

    /** Solves L Lᵀ v = b in place. */
    private static void choleskySolve(double[] l, int size, double[] b) {
        for (int i = 0; i < size; i++) {
            double v = b[i];
            for (int k = 0; k < i; k++) {
                v -= l[i * size + k] * b[k];
            }
            b[i] = v / l[i * size + i];
        }
        for (int i = size - 1; i >= 0; i--) {
            double v = b[i];
            for (int k = i + 1; k < size; k++) {
                v -= l[k * size + i] * b[k];
            }
            b[i] = v / l[i * size + i];
        }
    }

    /**
     * With z = (x, ε) ~ N(0, I), the matrix Σ z zᵀ is Wishart(I, n); Bartlett's decomposition draws it as
     * A Aᵀ with A lower triangular, A_ii² ~ χ²(n − i) and A_ij ~ N(0, 1) below the diagonal. Then
     * Σxx = S_xx/n, Σyx = W₀ Σxx + σ S_εx/n and Σyy = tr(W₀ Σxx W₀ᵀ) + 2σ tr(W₀ S_xε)/n + σ² tr(S_εε)/n.
     */
    private double drawSufficientStatistics(SplittableRandom random) {
        int in = widths[0];
        int out = widths[layers];
        int p = in + out;
        double[] a = new double[p * p];
        for (int i = 0; i < p; i++) {
            a[i * p + i] = Math.sqrt(chiSquared(n - i, random));
            for (int j = 0; j < i; j++) {
                a[i * p + j] = random.nextGaussian();
            }
        }
        double[] szz = new double[p * p];
        for (int i = 0; i < p; i++) {
            for (int j = 0; j < p; j++) {
                double v = 0;
                for (int k = 0; k <= Math.min(i, j); k++) {
                    v += a[i * p + k] * a[j * p + k];
                }
                szz[i * p + j] = v / n;
            }
        }
        for (int r = 0; r < in; r++) {
            for (int c = 0; c < in; c++) {
                sxx[r * in + c] = szz[r * p + c];
            }
        }
        double yy = 0;
        for (int b = 0; b < out; b++) {
            for (int c = 0; c < in; c++) {
                double v = noiseStd * szz[(in + b) * p + c];
                for (int k = 0; k < in; k++) {
                    v += teacher[b * in + k] * sxx[k * in + c];
                }
                syx[b * in + c] = v;
            }
        }
        for (int b = 0; b < out; b++) {
            for (int c = 0; c < in; c++) {
                for (int k = 0; k < in; k++) {
                    yy += teacher[b * in + c] * sxx[c * in + k] * teacher[b * in + k];
                }
                yy += 2 * noiseStd * teacher[b * in + c] * szz[c * p + in + b];
            }
            yy += noiseStd * noiseStd * szz[(in + b) * p + in + b];
        }
        return yy;
    }

    /** χ²(k) for large k: the sum of k squared normals is normal to O(1/√k) relative error in its skew. */
    private static double chiSquared(long k, SplittableRandom random) {
        if (k <= 1000) {
            double s = 0;
            for (long i = 0; i < k; i++) {
                double z = random.nextGaussian();
                s += z * z;
            }
            return s;
        }
        // Wilson–Hilferty: (χ²/k)^(1/3) is close to normal with mean 1 − 2/(9k) and variance 2/(9k).
        double v = 2.0 / (9.0 * k);
        double cube = 1 - v + Math.sqrt(v) * random.nextGaussian();
        return k * cube * cube * cube;
    }

    public TrueCoefficient truth() {
        return LearningCoefficients.deepLinearNetwork(widths, rank);
    }

    public int[] widths() {
        return widths.clone();
    }

    public int rank() {
        return rank;
    }

    /** ‖∇L_n(w*)‖: how close the centre is to a critical point. */
    public double centerGradientNorm() {
        return centerGradientNorm;
    }


    @Override
    public int dimension() {
        return dimension;
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
        return "dln" + Arrays.toString(widths).replace(" ", "") + " rank " + rank
                + (centre == Centre.TRAINED ? " (trained centre)" : "");
    }

    @Override
    public Evaluator newEvaluator() {
        return new MinibatchEvaluator();
    }

    /**
     * The teacher's map factored through r hidden units of every layer, the rest zero: every layer of rank r, each
     * spare hidden direction zero on both sides. Balanced: W₀ = Σ_k s_k u_k v_kᵀ, W_1's unit k is s_k^{1/L} v_kᵀ,
     * the middle layers s_k^{1/L} on their diagonal, W_L's column k is s_k^{1/L} u_k. For rank 0, the origin. With
     * the noise projected off the inputs it is an exact critical point of the empirical loss.
     */
    private double[] singularFactorization() {
        int in = widths[0];
        int out = widths[layers];
        double[][] gram = new double[in][in];
        for (int a = 0; a < in; a++) {
            for (int c = 0; c < in; c++) {
                double v = 0;
                for (int b = 0; b < out; b++) {
                    v += teacher[b * in + a] * teacher[b * in + c];
                }
                gram[a][c] = v;
            }
        }
        double[][] vectors = new double[in][in];
        double[] values = symmetricEigen(gram, vectors);
        Integer[] order = new Integer[in];
        for (int i = 0; i < in; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (p, q) -> Double.compare(values[q], values[p]));
        double[] w = new double[dimension];
        for (int k = 0; k < rank; k++) {
            int e = order[k];
            double singular = Math.sqrt(Math.max(values[e], 0));
            double root = Math.pow(singular, 1.0 / layers);
            for (int a = 0; a < in; a++) {
                w[offsets[0] + k * in + a] = root * vectors[a][e];
            }
            for (int j = 1; j < layers - 1; j++) {
                w[offsets[j] + k * widths[j] + k] = root;
            }
            int hidden = widths[layers - 1];
            for (int b = 0; b < out; b++) {
                double u = 0;
                for (int a = 0; a < in; a++) {
                    u += teacher[b * in + a] * vectors[a][e];
                }
                w[offsets[layers - 1] + b * hidden + k] = root * u / singular;
            }
        }
        return w;
    }

    private double[] train(SplittableRandom random) {
        double[] w = new double[dimension];
        for (int j = 0; j < layers; j++) {
            // PyTorch's default for a linear layer, U(−1/√fan_in, 1/√fan_in), as public practice trains it. A much
            // smaller initialisation ends on the most degenerate point of the minimum set, where chains mix so
            // slowly that they underestimate λ; a much larger one ends on generic points.
            double bound = 1.0 / Math.sqrt(widths[j]);
            for (int k = offsets[j]; k < offsets[j + 1]; k++) {
                w[k] = bound * (2 * random.nextDouble() - 1);
            }
        }
        FullData full = new FullData();
        double[] g = new double[dimension];
        double[] m1 = new double[dimension];
        double[] m2 = new double[dimension];
        double beta1 = 0.9;
        double beta2 = 0.999;
        int adamSteps = 6000;
        for (int t = 1; t <= adamSteps; t++) {
            full.lossAndGradient(w, g);
            double lr = 0.01 * 0.5 * (1 + Math.cos(Math.PI * t / adamSteps)) + 1e-5;
            for (int k = 0; k < dimension; k++) {
                m1[k] = beta1 * m1[k] + (1 - beta1) * g[k];
                m2[k] = beta2 * m2[k] + (1 - beta2) * g[k] * g[k];
                double mHat = m1[k] / (1 - Math.pow(beta1, t));
                double vHat = m2[k] / (1 - Math.pow(beta2, t));
                w[k] -= lr * mHat / (Math.sqrt(vHat) + 1e-12);
            }
        }
        // Gradient descent to polish: Adam's steps never settle exactly.
        polish(w, full, g, 4000);
        if (layers == 2 && settleSpareDirections(w, random)) {
            polish(w, full, g, 2000);
        }
        return w;
    }

    private void polish(double[] w, FullData full, double[] g, int steps) {
        for (int t = 0; t < steps; t++) {
            full.lossAndGradient(w, g);
            for (int k = 0; k < dimension; k++) {
                w[k] -= 0.02 * g[k];
            }
        }
    }

    /**
     * One hidden layer (reduced-rank regression), N inputs, M outputs, H hidden units, rank r < H. A hidden
     * direction z the product does not use has zero input weights (zᵀW₁ = 0) or zero output weights (W₂z = 0).
     * Locally the first adds (N − r)/2 to the learning coefficient (the output weights along z move the
     * product in N − r new directions), the second (M − r)/2; Aoyagi's λ is the minimum over the minimum set,
     * where every spare direction keeps its cheaper side. Which side training leaves is an accident of the
     * initialisation and the optimiser (dln[7,3,4] rank 2 kept the output side, local λ 9 + 5/2 = 11.5
     * against λ = 10, and λ̂ measured 11.6). So a spare direction left on its costlier side is moved,
     * along the minimum set (the loss does not change), to the cheaper side: the norm it had there, in a
     * random direction. With N = M both sides cost the same and nothing moves.
     *
     * @return whether anything moved
     */
    private boolean settleSpareDirections(double[] w, SplittableRandom random) {
        int inputs = widths[0];
        int hidden = widths[1];
        int outputs = widths[2];
        if (inputs == outputs || hidden <= rank) {
            return false;
        }
        // The costlier side is the one kept when the other is zero: if N > M, directions with zᵀW₁ = 0.
        boolean inputSideZero = inputs > outputs;
        int w1 = offsets[0];
        int w2 = offsets[1];
        double[][] gram = new double[hidden][hidden];
        for (int i = 0; i < hidden; i++) {
            for (int j = 0; j < hidden; j++) {
                double sum = 0;
                if (inputSideZero) {
                    for (int k = 0; k < inputs; k++) {
                        sum += w[w1 + i * inputs + k] * w[w1 + j * inputs + k];
                    }
                } else {
                    for (int o = 0; o < outputs; o++) {
                        sum += w[w2 + o * hidden + i] * w[w2 + o * hidden + j];
                    }
                }
                gram[i][j] = sum;
            }
        }
        double[][] vectors = new double[hidden][hidden];
        double[] values = symmetricEigen(gram, vectors);
        double largest = Arrays.stream(values).max().orElse(0);
        boolean moved = false;
        for (int e = 0; e < hidden; e++) {
            if (values[e] > 1e-3 * largest) {
                continue;
            }
            double[] z = new double[hidden];
            for (int i = 0; i < hidden; i++) {
                z[i] = vectors[i][e];
            }
            // The kept side along z: W₂z (an output vector) or zᵀW₁ (an input vector).
            int keptLength = inputSideZero ? outputs : inputs;
            double[] kept = new double[keptLength];
            for (int q = 0; q < keptLength; q++) {
                double sum = 0;
                for (int i = 0; i < hidden; i++) {
                    sum += inputSideZero ? w[w2 + q * hidden + i] * z[i] : z[i] * w[w1 + i * inputs + q];
                }
                kept[q] = sum;
            }
            double norm = norm(kept);
            if (norm < 1e-3 * Math.sqrt(largest)) {
                continue; // both sides already zero: the most singular place for it
            }
            int otherLength = inputSideZero ? inputs : outputs;
            double[] other = new double[otherLength];
            for (int q = 0; q < otherLength; q++) {
                other[q] = random.nextGaussian();
            }
            double scale = norm / norm(other);
            for (int i = 0; i < hidden; i++) {
                for (int q = 0; q < keptLength; q++) {
                    int at = inputSideZero ? w2 + q * hidden + i : w1 + i * inputs + q;
                    w[at] -= kept[q] * z[i];
                }
                for (int q = 0; q < otherLength; q++) {
                    int at = inputSideZero ? w1 + i * inputs + q : w2 + q * hidden + i;
                    w[at] += z[i] * other[q] * scale;
                }
            }
            moved = true;
        }
        return moved;
    }

    /** Eigenvalues of a small symmetric matrix (cyclic Jacobi); the eigenvectors go to the columns of {@code vectors}. */
    static double[] symmetricEigen(double[][] matrix, double[][] vectors) {
        int n = matrix.length;
        double[][] a = new double[n][];
        for (int i = 0; i < n; i++) {
            a[i] = matrix[i].clone();
            Arrays.fill(vectors[i], 0);
            vectors[i][i] = 1;
        }
        for (int sweep = 0; sweep < 100; sweep++) {
            double off = 0;
            for (int p = 0; p < n; p++) {
                for (int q = p + 1; q < n; q++) {
                    off += a[p][q] * a[p][q];
                }
            }
            if (off < 1e-30) {
                break;
            }
            for (int p = 0; p < n; p++) {
                for (int q = p + 1; q < n; q++) {
                    if (a[p][q] == 0) {
                        continue;
                    }
                    double theta = (a[q][q] - a[p][p]) / (2 * a[p][q]);
                    double t = Math.signum(theta) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
                    if (theta == 0) {
                        t = 1;
                    }
                    double c = 1 / Math.sqrt(t * t + 1);
                    double sn = t * c;
                    for (int k = 0; k < n; k++) {
                        double akp = a[k][p];
                        double akq = a[k][q];
                        a[k][p] = c * akp - sn * akq;
                        a[k][q] = sn * akp + c * akq;
                    }
                    for (int k = 0; k < n; k++) {
                        double apk = a[p][k];
                        double aqk = a[q][k];
                        a[p][k] = c * apk - sn * aqk;
                        a[q][k] = sn * apk + c * aqk;
                    }
                    for (int k = 0; k < n; k++) {
                        double vkp = vectors[k][p];
                        double vkq = vectors[k][q];
                        vectors[k][p] = c * vkp - sn * vkq;
                        vectors[k][q] = sn * vkp + c * vkq;
                    }
                }
            }
        }
        double[] values = new double[n];
        for (int i = 0; i < n; i++) {
            values[i] = a[i][i];
        }
        return values;
    }

    private static double[] randomRankR(int rows, int cols, int r, SplittableRandom random) {
        double[] m = new double[rows * cols];
        if (r == 0) {
            return m;
        }
        double[] a = new double[rows * r];
        double[] b = new double[r * cols];
        for (int k = 0; k < a.length; k++) {
            a[k] = random.nextGaussian();
        }
        for (int k = 0; k < b.length; k++) {
            b[k] = random.nextGaussian();
        }
        double scale = 1.0 / Math.sqrt(r);
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                double v = 0;
                for (int k = 0; k < r; k++) {
                    v += a[i * r + k] * b[k * cols + j];
                }
                m[i * cols + j] = v * scale;
            }
        }
        return m;
    }

    private static double norm(double[] v) {
        double s = 0;
        for (double e : v) {
            s += e * e;
        }
        return Math.sqrt(s);
    }

    /** Loss and gradient over minibatches of stored samples; buffers preallocated, nothing allocated per call. */
    private final class MinibatchEvaluator implements Evaluator {
        private final double[][] activations = new double[layers + 1][];
        private final double[][] deltas = new double[layers + 1][];
        private final FullData full = new FullData();

        private final SymmetryMove basisChange = layers >= 2 ? new HiddenBasisChange(widths, offsets) : null;

        MinibatchEvaluator() {
            for (int j = 0; j <= layers; j++) {
                activations[j] = new double[widths[j]];
                deltas[j] = new double[widths[j]];
            }
        }

        @Override
        public double lossAndGradient(double[] w, int[] batch, int size, double[] gradient) {
            if (size >= n) {
                return full.lossAndGradient(w, gradient);
            }
            requireStoredSamples();
            Arrays.fill(gradient, 0, dimension, 0.0);
            double total = 0;
            double inv = 1.0 / (noiseStd * noiseStd);
            for (int s = 0; s < size; s++) {
                total += forward(w, batch[s]);
                int out = widths[layers];
                double[] top = deltas[layers];
                double[] yHat = activations[layers];
                int yi = batch[s] * out;
                for (int b = 0; b < out; b++) {
                    top[b] = (yHat[b] - y[yi + b]) * inv;
                }
                for (int j = layers; j >= 1; j--) {
                    int rows = widths[j];
                    int cols = widths[j - 1];
                    int off = offsets[j - 1];
                    double[] d = deltas[j];
                    double[] a = activations[j - 1];
                    double[] below = deltas[j - 1];
                    if (j > 1) {
                        Arrays.fill(below, 0.0);
                    }
                    for (int r = 0; r < rows; r++) {
                        double dr = d[r];
                        int row = off + r * cols;
                        for (int c = 0; c < cols; c++) {
                            gradient[row + c] += dr * a[c];
                            if (j > 1) {
                                below[c] += w[row + c] * dr;
                            }
                        }
                    }
                }
            }
            double scale = 1.0 / size;
            for (int k = 0; k < dimension; k++) {
                gradient[k] *= scale;
            }
            return total * scale;
        }

        @Override
        public double loss(double[] w, int[] batch, int size) {
            if (size >= n) {
                return full.loss(w);
            }
            requireStoredSamples();
            double total = 0;
            for (int s = 0; s < size; s++) {
                total += forward(w, batch[s]);
            }
            return total / size;
        }

        @Override
        public double fullLoss(double[] w) {
            return full.loss(w);
        }

        @Override
        public SymmetryMove symmetryMove() {
            return basisChange;
        }

        private void requireStoredSamples() {
            if (x == null) {
                throw new IllegalStateException(describe() + " holds only the sufficient statistics of its " + n
                        + " samples: sample it full-batch (batch size ≥ n) or use n ≤ " + MAX_STORED_SAMPLES);
            }
        }

        /** Forward pass of one sample; returns its loss. */
        private double forward(double[] w, int sample) {
            int in = widths[0];
            System.arraycopy(x, sample * in, activations[0], 0, in);
            for (int j = 1; j <= layers; j++) {
                int rows = widths[j];
                int cols = widths[j - 1];
                int off = offsets[j - 1];
                double[] a = activations[j - 1];
                double[] next = activations[j];
                for (int r = 0; r < rows; r++) {
                    double v = 0;
                    int row = off + r * cols;
                    for (int c = 0; c < cols; c++) {
                        v += w[row + c] * a[c];
                    }
                    next[r] = v;
                }
            }
            int out = widths[layers];
            double[] yHat = activations[layers];
            int yi = sample * out;
            double sq = 0;
            for (int b = 0; b < out; b++) {
                double e = yHat[b] - y[yi + b];
                sq += e * e;
            }
            return sq / (2 * noiseStd * noiseStd);
        }
    }

    /**
     * The loss over all n samples through the sufficient statistics: with P = W_L ⋯ W_1,
     * L = [tr(P Σxx Pᵀ) − 2 tr(P Σyxᵀ) + Σyy] / (2σ²) and ∇_P L = (P Σxx − Σyx) / σ².
     *
     * <p>Every product runs its innermost loop along a contiguous row (a[i][·] += s·b[k][·]), which the JIT
     * vectorizes, and P Σxx is formed once for the loss and the gradient: the chains spend most of their time
     * here (3× faster than the dot-product order on dln[9,9,9]).
     */
    private final class FullData {
        // Q_j = W_j ⋯ W_1 (H_j × H_0) for j ≥ 1 and R_j = W_L ⋯ W_{j+1} (H_L × H_j) for 1 ≤ j ≤ L − 1; the identities
        // Q_0 and R_L are never formed (the first and last layer's gradients skip them).
        private final double[][] prefix = new double[layers + 1][];
        private final double[][] suffix = new double[layers + 1][];
        private final double[] pSxx;  // P Σxx (H_L × H_0)
        private final double[] tmp;

        FullData() {
            int in = widths[0];
            int out = widths[layers];
            for (int j = 1; j <= layers; j++) {
                prefix[j] = new double[widths[j] * in];
                suffix[j - 1] = new double[out * widths[j - 1]];
            }
            pSxx = new double[out * in];
            int maxWidth = Arrays.stream(widths).max().orElse(1);
            tmp = new double[out * maxWidth];
        }

        double loss(double[] w) {
            products(w, false);
            return lossOfProduct();
        }

        double lossAndGradient(double[] w, double[] gradient) {
            products(w, true);
            double loss = lossOfProduct();
            int in = widths[0];
            int out = widths[layers];
            double inv = 1.0 / (noiseStd * noiseStd);
            // G = (P Σxx − Σyx)/σ², in place of P Σxx.
            double[] g = pSxx;
            for (int k = 0; k < out * in; k++) {
                g[k] = (g[k] - syx[k]) * inv;
            }
            // ∇W_j = R_jᵀ G Q_{j−1}ᵀ: first T = G Q_{j−1}ᵀ (H_L × H_{j−1}), then R_jᵀ T.
            for (int j = 1; j <= layers; j++) {
                int rows = widths[j];
                int cols = widths[j - 1];
                int off = offsets[j - 1];
                double[] t;
                if (j == 1) {
                    t = g; // Q_0 = I
                } else {
                    t = tmp;
                    double[] q = prefix[j - 1];
                    for (int b = 0; b < out; b++) {
                        for (int c = 0; c < cols; c++) {
                            double v = 0;
                            for (int a = 0; a < in; a++) {
                                v += g[b * in + a] * q[c * in + a];
                            }
                            t[b * cols + c] = v;
                        }
                    }
                }
                if (j == layers) {
                    System.arraycopy(t, 0, gradient, off, rows * cols); // R_L = I
                    continue;
                }
                multiply(suffix[j], 0, 1, rows, t, 0, gradient, off, rows, out, cols); // R_jᵀ is R_j read by column
            }
            return loss;
        }

        /** The loss of P = prefix[L]; leaves P Σxx in {@link #pSxx}. */
        private double lossOfProduct() {
            int in = widths[0];
            int out = widths[layers];
            double[] p = prefix[layers];
            multiply(p, 0, in, 1, sxx, 0, pSxx, 0, out, in, in);
            double quad = 0;
            double cross = 0;
            for (int k = 0; k < out * in; k++) {
                quad += pSxx[k] * p[k];
                cross += p[k] * syx[k];
            }
            return (quad - 2 * cross + syy) / (2 * noiseStd * noiseStd);
        }

        private void products(double[] w, boolean withSuffix) {
            int in = widths[0];
            System.arraycopy(w, offsets[0], prefix[1], 0, widths[1] * in); // Q_1 = W_1
            for (int j = 2; j <= layers; j++) {
                int rows = widths[j];
                int cols = widths[j - 1];
                multiply(w, offsets[j - 1], cols, 1, prefix[j - 1], 0, prefix[j], 0, rows, cols, in);
            }
            if (!withSuffix) {
                return;
            }
            int out = widths[layers];
            System.arraycopy(w, offsets[layers - 1], suffix[layers - 1], 0, out * widths[layers - 1]); // R_{L−1} = W_L
            for (int j = layers - 2; j >= 1; j--) {
                // R_j = R_{j+1} W_{j+1}: (H_L × H_{j+1})(H_{j+1} × H_j). R_0 is never used.
                multiply(suffix[j + 1], 0, widths[j + 1], 1, w, offsets[j], suffix[j], 0, out, widths[j + 1], widths[j]);
            }
        }

        /**
         * out = A·B for a row-major B (inner × cols) at bOff, with A(i, k) = a[aOff + i·aRow + k·aCol] (aCol ≠ 1 reads
         * a stored matrix transposed). The innermost loop runs along a contiguous row of B and of out, which the JIT
         * vectorizes; each element still sums over k in ascending order.
         */
        private static void multiply(double[] a, int aOff, int aRow, int aCol, double[] b, int bOff, double[] out,
                                     int outOff, int rows, int inner, int cols) {
            Arrays.fill(out, outOff, outOff + rows * cols, 0.0);
            for (int i = 0; i < rows; i++) {
                int oRow = outOff + i * cols;
                for (int k = 0; k < inner; k++) {
                    double aik = a[aOff + i * aRow + k * aCol];
                    int bRow = bOff + k * cols;
                    for (int c = 0; c < cols; c++) {
                        out[oRow + c] += aik * b[bRow + c];
                    }
                }
            }
        }
    }
}
