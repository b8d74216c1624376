package dev.spectroscope.transition;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Bayesian online change-point detection (Adams &amp; MacKay 2007; SCIENCE.md §4) for a noisy level, such as
 * λ̂ with its standard error. Each segment has an unknown mean with a normal prior; observations are normal
 * around it with the variance they come with (or a floor). The run-length posterior is
 * P(r_t = r+1) ∝ P(r_{t−1} = r)·π_r·(1−H) and P(r_t = 0) ∝ Σ_r P(r_{t−1} = r)·π_r·H, with H = 1/expected gap.
 * A change is reported when the posterior puts more than {@code threshold} on a segment of fewer than
 * {@code lag} points at two observations in a row (one outlier is not a change); its start is the first
 * point of the most probable new segment.
 *
 * <p>Run lengths are truncated at {@code maxRunLength}; the state is plain fields for a JSON state store.
 */
public final class BocpdDetector {

    /**
     * @param expectedGap   expected points between changes (H = 1 / expectedGap)
     * @param threshold     posterior mass on a recent change needed to report it
     * @param lag           how many points a new segment may hold when it is reported
     * @param relativeNoise floor of the observation standard deviation, relative to the level
     * @param absoluteNoise absolute floor of the observation standard deviation
     * @param minEffect     smallest relative change of level worth reporting
     * @param maxRunLength  run lengths kept
     */
    public record Settings(double expectedGap, double threshold, int lag, double relativeNoise, double absoluteNoise,
                           double minEffect, int maxRunLength) {
        public Settings {
            if (expectedGap < 2 || threshold <= 0 || threshold >= 1 || lag < 1 || relativeNoise < 0
                    || absoluteNoise <= 0 || minEffect < 0 || maxRunLength < lag + 2) {
                throw new IllegalArgumentException("BOCPD settings out of range: expectedGap ≥ 2, threshold in (0, 1), "
                        + "lag ≥ 1, noise floors ≥ 0 (absolute > 0), maxRunLength > lag + 1");
            }
        }
    }

    static final double OUTLIER = 0.02;
    static final double OUTLIER_SCALE = 10;

    public String signal;
    /** log P(r_t = r) for r = 0 .. size−1. */
    public List<Double> logRunLength = new ArrayList<>();
    /** Posterior mean and variance of the segment mean, per run length. */
    public List<Double> mean = new ArrayList<>();
    public List<Double> variance = new ArrayList<>();
    public List<Long> steps = new ArrayList<>();
    public List<Double> values = new ArrayList<>();
    public long lastChangeStart = -1;
    public boolean previousSuspected;

    public BocpdDetector() {
    }

    public BocpdDetector(String signal) {
        this.signal = signal;
    }

    /** @param stderr the observation's own standard error, or NaN */
    public Optional<SignalChange> observe(long step, double value, double stderr, Settings s) {
        steps.add(step);
        values.add(value);
        if (steps.size() > s.maxRunLength() + 1) {
            steps.remove(0);
            values.remove(0);
        }
        if (logRunLength.isEmpty()) {
            logRunLength.add(0.0);
            mean.add(value);
            variance.add(priorVariance(value, s));
            return Optional.empty();
        }
        double noise = Math.max(Double.isNaN(stderr) ? 0 : stderr,
                Math.max(s.relativeNoise() * Math.abs(value), s.absoluteNoise()));
        double noiseVar = noise * noise;
        double logHazard = Math.log(1 / s.expectedGap());
        double logStay = Math.log(1 - 1 / s.expectedGap());
        int size = logRunLength.size();
        double[] grown = new double[Math.min(size + 1, s.maxRunLength())];
        double[] newMean = new double[grown.length];
        double[] newVar = new double[grown.length];
        double change = Double.NEGATIVE_INFINITY;
        for (int r = 0; r < size; r++) {
            double m = mean.get(r);
            double v = variance.get(r);
            // A small outlier component keeps one wild estimate from ending a long segment.
            double predictive = logSum(Math.log(1 - OUTLIER) + logNormal(value, m, v + noiseVar),
                    Math.log(OUTLIER) + logNormal(value, m, v + noiseVar * OUTLIER_SCALE * OUTLIER_SCALE));
            double joint = logRunLength.get(r) + predictive;
            change = logSum(change, joint + logHazard);
            int next = Math.min(r + 1, grown.length - 1);
            double stay = joint + logStay;
            if (next == r + 1) {
                grown[next] = stay;
            } else {
                grown[next] = logSum(grown[next], stay); // truncation folds the longest run lengths together
            }
            // Conjugate update of the segment mean with this observation.
            double posteriorVar = 1 / (1 / v + 1 / noiseVar);
            newMean[next] = posteriorVar * (m / v + value / noiseVar);
            newVar[next] = posteriorVar;
        }
        grown[0] = change;
        // A segment starting here: the broad prior updated with this one observation.
        newMean[0] = value;
        newVar[0] = 1 / (1 / priorVariance(value, s) + 1 / noiseVar);
        double total = Double.NEGATIVE_INFINITY;
        for (double g : grown) {
            total = logSum(total, g);
        }
        logRunLength = new ArrayList<>();
        mean = new ArrayList<>();
        variance = new ArrayList<>();
        // A change must show on two observations in a row, so one outlier is not a change.
        double recent = 0;
        int best = 0;
        for (int r = 0; r < grown.length; r++) {
            double lp = grown[r] - total;
            logRunLength.add(lp);
            mean.add(newMean[r]);
            variance.add(newVar[r]);
            if (r < s.lag()) {
                recent += Math.exp(lp);
                if (lp > logRunLength.get(best)) {
                    best = r;
                }
            }
        }
        int points = values.size();
        boolean suspected = recent >= s.threshold();
        boolean confirmed = suspected && previousSuspected && best >= 1;
        previousSuspected = suspected;
        if (!confirmed || points < s.lag() + 3) {
            return Optional.empty();
        }
        // The new segment: the points since the most probable recent change.
        int runLength = best + 1;
        int startIndex = points - runLength;
        long start = steps.get(startIndex);
        if (start <= lastChangeStart) {
            return Optional.empty();
        }
        double before = average(values.subList(Math.max(0, startIndex - s.lag() - 2), startIndex));
        double after = average(values.subList(startIndex, points));
        if (Math.abs(after - before) < s.minEffect() * Math.max(Math.abs(before), s.absoluteNoise())) {
            return Optional.empty();
        }
        lastChangeStart = start;
        return Optional.of(new SignalChange(signal, "bocpd", start, step, step, before, after, Math.min(1, recent)));
    }

    private static double priorVariance(double value, Settings s) {
        double scale = Math.max(Math.abs(value), s.absoluteNoise() * 10);
        return scale * scale;
    }

    private static double average(List<Double> xs) {
        double sum = 0;
        for (double x : xs) {
            sum += x;
        }
        return xs.isEmpty() ? Double.NaN : sum / xs.size();
    }

    private static double logNormal(double x, double m, double var) {
        double d = x - m;
        return -0.5 * (Math.log(2 * Math.PI * var) + d * d / var);
    }

    private static double logSum(double a, double b) {
        if (a == Double.NEGATIVE_INFINITY) {
            return b;
        }
        if (b == Double.NEGATIVE_INFINITY) {
            return a;
        }
        double max = Math.max(a, b);
        return max + Math.log(Math.exp(a - max) + Math.exp(b - max));
    }
}
