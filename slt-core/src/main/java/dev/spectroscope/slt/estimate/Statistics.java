package dev.spectroscope.slt.estimate;

/** Small statistics the estimators share. */
final class Statistics {

    private static final int BATCHES = 10;

    private Statistics() {
    }

    /** Mean of a[from, to) and its standard error from the means of 10 consecutive batches. */
    static double[] meanAndBatchStandardError(double[] a, int from, int to) {
        int length = to - from;
        double mean = 0;
        for (int i = from; i < to; i++) {
            mean += a[i];
        }
        mean /= length;
        int size = length / BATCHES;
        if (size < 1) {
            return new double[] {mean, Double.NaN};
        }
        double var = 0;
        for (int b = 0; b < BATCHES; b++) {
            double m = 0;
            for (int i = from + b * size; i < from + (b + 1) * size; i++) {
                m += a[i];
            }
            m /= size;
            var += (m - mean) * (m - mean);
        }
        var /= BATCHES - 1;
        return new double[] {mean, Math.sqrt(var / BATCHES)};
    }
}
