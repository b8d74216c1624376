package dev.spectroscope.slt.reference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Random;
import org.apache.commons.math3.fraction.BigFraction;
import org.junit.jupiter.api.Test;

class LearningCoefficientsTest {

    private static BigFraction f(long num, long den) {
        return new BigFraction(num, den);
    }

    @Test
    void normalCrossingIsTheMinimumRatioWithItsMultiplicity() {
        assertEquals(new TrueCoefficient(f(1, 2), 2), LearningCoefficients.normalCrossing(new int[] {1, 1},
                new int[] {0, 0}));
        assertEquals(new TrueCoefficient(f(1, 4), 1), LearningCoefficients.normalCrossing(new int[] {1, 2},
                new int[] {0, 0}));
        assertEquals(new TrueCoefficient(f(1, 6), 1), LearningCoefficients.normalCrossing(new int[] {1, 3},
                new int[] {0, 0}));
        // A prior power raises the ratio of its coordinate: (1+1)/(2·1) = 1 against 1/4.
        assertEquals(new TrueCoefficient(f(1, 4), 1), LearningCoefficients.normalCrossing(new int[] {1, 2},
                new int[] {1, 0}));
        assertEquals(new TrueCoefficient(f(1, 2), 3), LearningCoefficients.normalCrossing(new int[] {1, 2, 3},
                new int[] {0, 1, 2}));
        // Coordinates absent from K do not count.
        assertEquals(new TrueCoefficient(f(1, 2), 1), LearningCoefficients.normalCrossing(new int[] {0, 1},
                new int[] {0, 0}));
    }

    @Test
    void regularModelHasHalfItsDimension() {
        // A full-rank 1-hidden-unit network with one input and output is the product w1·w2·x, true rank 1: the
        // product is identifiable and the scale direction is flat, so λ = 1/2.
        assertEquals(new TrueCoefficient(f(1, 2), 1), LearningCoefficients.reducedRankRegression(1, 1, 1, 1));
        // Rank 0, one hidden unit: K = (ab)^2, λ = 1/2 with m = 2 (normal crossing with k = (1, 1)).
        assertEquals(new TrueCoefficient(f(1, 2), 2), LearningCoefficients.reducedRankRegression(1, 1, 1, 0));
    }

    @Test
    void aoyagiWatanabeCases() {
        // M + H < N + r: λ = (HM − Hr + Nr)/2.
        assertEquals(new TrueCoefficient(f(2 * 1 - 0 + 0, 2), 1), LearningCoefficients.reducedRankRegression(2, 1, 5,
                0));
        // N + H < M + r.
        assertEquals(new TrueCoefficient(f(1 * 2 - 1 + 5, 2), 1), LearningCoefficients.reducedRankRegression(5, 1, 2,
                1));
        // M + N < H + r: the regular case, λ = MN/2.
        assertEquals(new TrueCoefficient(f(2 * 2, 2), 1), LearningCoefficients.reducedRankRegression(2, 9, 2, 1));
        // Otherwise, even and odd parity: 5-3-5 rank 0 is 51/8 + 1/8, m = 2.
        assertEquals(new TrueCoefficient(f(52, 8), 2), LearningCoefficients.reducedRankRegression(5, 3, 5, 0));
        assertEquals(new TrueCoefficient(f(2 * 4 * 8 - 0 - 16, 8), 1),
                LearningCoefficients.reducedRankRegression(4, 3, 4, 1));
    }

    @Test
    void deepFormulaEqualsTheTwoLayerFormulaOnEveryTwoLayerShape() {
        for (int m = 1; m <= 9; m++) {
            for (int h = 1; h <= 9; h++) {
                for (int n = 1; n <= 9; n++) {
                    for (int r = 0; r <= Math.min(m, Math.min(h, n)); r++) {
                        assertEquals(LearningCoefficients.reducedRankRegression(m, h, n, r),
                                LearningCoefficients.deepLinearNetwork(new int[] {m, h, n}, r),
                                "2-layer shape");
                    }
                }
            }
        }
    }

    @Test
    void deepFormulaOnKnownDeepCases() {
        // All widths equal to the rank: the map is a product of invertible matrices, the model is as regular as
        // its identifiable part: λ = (−r² + r(H_0 + H_L))/2 = r²/2.
        assertEquals(new TrueCoefficient(f(9, 2), 1), LearningCoefficients.deepLinearNetwork(new int[] {3, 3, 3, 3},
                3));
        // Widths 1 everywhere, rank 0: K = (w1 w2 w3)², a normal crossing with k = (1,1,1): λ = 1/2, m = 3.
        assertEquals(new TrueCoefficient(f(1, 2), 3), LearningCoefficients.deepLinearNetwork(new int[] {1, 1, 1, 1},
                0));
        assertEquals(new TrueCoefficient(f(1, 2), 4), LearningCoefficients.deepLinearNetwork(
                new int[] {1, 1, 1, 1, 1}, 0));
    }

    @Test
    void lambdaNeverExceedsHalfTheParameterCountAndIsPositive() {
        Random random = new Random(5);
        for (int trial = 0; trial < 2000; trial++) {
            int layers = 2 + random.nextInt(5);
            int[] widths = new int[layers + 1];
            for (int j = 0; j <= layers; j++) {
                widths[j] = 1 + random.nextInt(12);
            }
            int min = java.util.Arrays.stream(widths).min().getAsInt();
            int rank = random.nextInt(min + 1);
            long d = 0;
            for (int j = 0; j < layers; j++) {
                d += (long) widths[j] * widths[j + 1];
            }
            TrueCoefficient c = LearningCoefficients.deepLinearNetwork(widths, rank);
            assertEquals(-1, c.lambda().compareTo(f(d, 2).add(f(1, 1_000_000))), java.util.Arrays.toString(widths));
            assertEquals(1, c.lambda().compareTo(BigFraction.ZERO), java.util.Arrays.toString(widths));
            // The identifiable part alone needs r(H_0 + H_L − r)/2.
            assertEquals(true, c.lambda().compareTo(f((long) rank * (widths[0] + widths[layers] - rank), 2)) >= 0);
        }
    }

    @Test
    void badShapesAreRejectedWithTheReason() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LearningCoefficients.deepLinearNetwork(new int[] {5, 2, 5}, 3));
        assertEquals(true, e.getMessage().contains("rank 3"));
        assertThrows(IllegalArgumentException.class, () -> LearningCoefficients.deepLinearNetwork(new int[] {5}, 0));
        assertThrows(IllegalArgumentException.class, () -> LearningCoefficients.normalCrossing(new int[] {0, 0},
                new int[] {0, 0}));
    }
}
