package dev.spectroscope.slt.reference;

import java.math.BigInteger;
import java.util.Arrays;
import org.apache.commons.math3.fraction.BigFraction;

/**
 * Closed forms of the learning coefficient (RLCT) λ and its multiplicity m for the models with known
 * answers (SCIENCE.md §5), in exact rational arithmetic.
 */
public final class LearningCoefficients {

    private LearningCoefficients() {
    }

    /**
     * Normal crossing K(w) = Π w_i^(2 k_i) with prior ∝ Π |w_i|^(h_i): λ = min_i (h_i + 1)/(2 k_i), m = the
     * number of i attaining the minimum. Coordinates with k_i = 0 do not enter K and are skipped.
     */
    public static TrueCoefficient normalCrossing(int[] k, int[] h) {
        if (k.length != h.length || k.length == 0) {
            throw new IllegalArgumentException("k and h need the same, non-zero length: " + Arrays.toString(k)
                    + " vs " + Arrays.toString(h));
        }
        BigFraction min = null;
        int m = 0;
        for (int i = 0; i < k.length; i++) {
            if (k[i] < 0 || h[i] < 0) {
                throw new IllegalArgumentException("exponents must be non-negative: k=" + Arrays.toString(k) + " h="
                        + Arrays.toString(h));
            }
            if (k[i] == 0) {
                continue;
            }
            BigFraction candidate = new BigFraction(h[i] + 1, 2 * k[i]);
            int cmp = min == null ? -1 : candidate.compareTo(min);
            if (cmp < 0) {
                min = candidate;
                m = 1;
            } else if (cmp == 0) {
                m++;
            }
        }
        if (min == null) {
            throw new IllegalArgumentException("K is constant when every k_i is 0");
        }
        return new TrueCoefficient(min, m);
    }

    /**
     * Reduced-rank regression, Aoyagi and Watanabe (2005): a two-layer linear network with M inputs, H
     * hidden units, N outputs and a true map of rank r.
     */
    public static TrueCoefficient reducedRankRegression(int inputs, int hidden, int outputs, int rank) {
        checkRank(new int[] {inputs, hidden, outputs}, rank);
        long bigM = inputs;
        long bigH = hidden;
        long bigN = outputs;
        long r = rank;
        if (bigM + bigH < bigN + r) {
            return new TrueCoefficient(new BigFraction(BigInteger.valueOf(bigH * bigM - bigH * r + bigN * r),
                    BigInteger.TWO), 1);
        }
        if (bigN + bigH < bigM + r) {
            return new TrueCoefficient(new BigFraction(BigInteger.valueOf(bigH * bigN - bigH * r + bigM * r),
                    BigInteger.TWO), 1);
        }
        if (bigM + bigN < bigH + r) {
            return new TrueCoefficient(new BigFraction(BigInteger.valueOf(bigM * bigN), BigInteger.TWO), 1);
        }
        long numerator = 2 * (bigH + r) * (bigM + bigN) - (bigM - bigN) * (bigM - bigN) - (bigH + r) * (bigH + r);
        BigFraction lambda = new BigFraction(BigInteger.valueOf(numerator), BigInteger.valueOf(8));
        if ((bigM + bigH + bigN + r) % 2 != 0) {
            return new TrueCoefficient(lambda.add(new BigFraction(1, 8)), 2);
        }
        return new TrueCoefficient(lambda, 1);
    }

    /**
     * Deep linear network f(x) = W_L ⋯ W_1 x with widths [H_0 = inputs, H_1, …, H_L = outputs] and a true
     * product of rank r: Aoyagi (2023/24).
     */
    public static TrueCoefficient deepLinearNetwork(int[] widths, int rank) {
        if (widths.length < 2) {
            throw new IllegalArgumentException("a network needs at least an input and an output width");
        }
        checkRank(widths, rank);
        int count = widths.length;
        long[] sorted = new long[count];
        for (int j = 0; j < count; j++) {
            sorted[j] = widths[j] - (long) rank;
        }
        Arrays.sort(sorted);
        // The smallest prefix Σ of the sorted M_j (ℓ = |Σ| − 1 ≥ 1) with max_Σ < min_rest,
        // S ≥ ℓ·max_Σ and S < ℓ·min_rest; conditions on the rest hold when it is empty.
        for (int size = 2; size <= count; size++) {
            int ell = size - 1;
            long s = 0;
            for (int j = 0; j < size; j++) {
                s += sorted[j];
            }
            long maxIn = sorted[size - 1];
            boolean restEmpty = size == count;
            long minRest = restEmpty ? Long.MAX_VALUE : sorted[size];
            boolean separated = restEmpty || maxIn < minRest;
            boolean enough = s >= (long) ell * maxIn;
            boolean below = restEmpty || s < (long) ell * minRest;
            if (separated && enough && below) {
                return aoyagi(widths[0], widths[count - 1], rank, Arrays.copyOf(sorted, size), s, ell);
            }
        }
        throw new IllegalStateException("no subset satisfies Aoyagi's conditions for widths "
                + Arrays.toString(widths) + ", rank " + rank + " (cannot happen: the full set always does)");
    }

    private static TrueCoefficient aoyagi(long inputs, long outputs, long r, long[] sigma, long s, int ell) {
        // M̄ = ⌈S/ℓ⌉ and a = S − (M̄ − 1)ℓ, so that 1 ≤ a ≤ ℓ.
        long mBar = Math.floorDiv(s + ell - 1, ell);
        long a = s - (mBar - 1) * ell;
        BigFraction lambda = new BigFraction(BigInteger.valueOf(-r * r + r * (inputs + outputs)), BigInteger.TWO);
        lambda = lambda.add(new BigFraction(BigInteger.valueOf(a * (ell - a)), BigInteger.valueOf(4L * ell)));
        BigFraction sOverEll = new BigFraction(BigInteger.valueOf(s), BigInteger.valueOf(ell));
        lambda = lambda.subtract(new BigFraction(BigInteger.valueOf((long) ell * (ell - 1)), BigInteger.valueOf(4))
                .multiply(sOverEll.multiply(sOverEll)));
        long pairs = 0;
        for (int i = 0; i < sigma.length; i++) {
            for (int j = i + 1; j < sigma.length; j++) {
                pairs += sigma[i] * sigma[j];
            }
        }
        lambda = lambda.add(new BigFraction(BigInteger.valueOf(pairs), BigInteger.TWO));
        int m = Math.toIntExact(a * (ell - a) + 1);
        return new TrueCoefficient(lambda, m);
    }

    private static void checkRank(int[] widths, int rank) {
        int min = Arrays.stream(widths).min().orElse(0);
        if (Arrays.stream(widths).anyMatch(w -> w < 1)) {
            throw new IllegalArgumentException("every width must be at least 1: " + Arrays.toString(widths));
        }
        if (rank < 0 || rank > min) {
            throw new IllegalArgumentException("rank " + rank + " must lie between 0 and the smallest width " + min
                    + " of " + Arrays.toString(widths));
        }
    }
}
