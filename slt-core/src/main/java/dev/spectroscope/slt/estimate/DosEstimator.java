package dev.spectroscope.slt.estimate;

import dev.spectroscope.slt.sampler.ChainResult;
import dev.spectroscope.slt.sampler.SgldSampler;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * λ and m from chains at a ladder of inverse temperatures (SCIENCE.md §3): with t = L_n(w) − L_n(w*),
 * Z(s) ≈ Γ(λ)·s^(−λ)·(log s)^(m−1) gives s·E_s[t] ≈ λ − (m − 1)/log s, a straight line in x = 1/log s
 * whose intercept is λ and whose slope is −(m − 1). The line is fitted by weighted least squares with
 * each rung's variance from the spread of its chains.
 *
 * <p>The density-of-states curve itself comes from reweighting each rung's histogram of t by e^(s t)
 * and combining the rungs with the weighted histogram analysis method (Ferrenberg and Swendsen 1989).
 */
public final class DosEstimator {

    static final double LOCALIZATION_DOMINATES = 0.5;
    private static final int BINS = 40;
    /** How far in from an end an order statistic may sit for {@link #orderStatistics} to keep a running tail. */
    private static final int SMALL_TAIL = 64;
    /** Largest span of s·t within a rung for which e^(−span) stays far above the smallest double. */
    private static final double LINEAR_SPAN = 600;

    private DosEstimator() {
    }

    public static DosResult estimate(SgldSampler.Samples samples, double gamma) {
        double[] s = samples.nBetas();
        int rungs = s.length;
        if (rungs < 2) {
            throw new IllegalArgumentException("a ladder needs at least two temperatures, got " + rungs);
        }
        List<String> diagnostics = new ArrayList<>();
        double[] y = new double[rungs];
        double[] se = new double[rungs];
        double[] share = new double[rungs];
        boolean dominated = false;
        for (int k = 0; k < rungs; k++) {
            List<ChainResult> chains = samples.atTemperature(k);
            LlcResult rung = LlcEstimator.estimate(chains);
            y[k] = rung.mean();
            se[k] = rungStandardError(rung, chains);
            double distance = chains.stream().filter(c -> !c.diverged()).mapToDouble(ChainResult::meanSquaredDistance)
                    .average().orElse(Double.NaN);
            double localization = 0.5 * gamma * distance;
            share[k] = localization / (localization + Math.max(rung.mean(), 0));
            if (share[k] > LOCALIZATION_DOMINATES) {
                dominated = true;
                diagnostics.add(String.format(Locale.ROOT, "at nβ %.4g the localization term carries %.0f%% of the "
                        + "energy: γ, not the loss, shapes the samples there; raise nβ or lower γ", s[k],
                        100 * share[k]));
            }
        }
        // Rungs where the localization carries most of the energy are outside the asymptotic regime the line
        // describes; fit without them while at least two others remain.
        int usable = 0;
        for (double v : share) {
            usable += v > LOCALIZATION_DOMINATES ? 0 : 1;
        }
        double[] fit;
        if (usable >= 2 && usable < rungs) {
            double[] fs = new double[usable];
            double[] fy = new double[usable];
            double[] fse = new double[usable];
            int next = 0;
            for (int k = 0; k < rungs; k++) {
                if (!(share[k] > LOCALIZATION_DOMINATES)) {
                    fs[next] = s[k];
                    fy[next] = y[k];
                    fse[next++] = se[k];
                }
            }
            fit = weightedLine(fs, fy, fse);
            diagnostics.add("the line fit leaves out " + (rungs - usable) + " rung(s) where the localization dominates");
        } else {
            fit = weightedLine(s, y, se);
        }
        double lambda = fit[0];
        double m = 1 - fit[1];
        if (m < 1 - 2 * fit[3]) {
            diagnostics.add(String.format(Locale.ROOT, "the fitted multiplicity %.2f is below 1 by more than two "
                    + "standard errors: the rungs are not in the asymptotic regime; widen the ladder or draw more", m));
        }
        double[][] curve = logDensity(samples);
        double curveLambda = curveLambda(curve[0], curve[1]);
        if (!Double.isNaN(curveLambda) && Math.abs(curveLambda - lambda) > 0.25 * Math.abs(lambda)) {
            diagnostics.add(String.format(Locale.ROOT, "the two reads of λ disagree: %.3g from the ladder, %.3g "
                    + "from the density-of-states curve", lambda, curveLambda));
        }
        return new DosResult(lambda, fit[2], m, fit[3], s.clone(), y, se, curve[0], curve[1], curveLambda, share,
                dominated, List.copyOf(diagnostics));
    }

    /** Standard error of one rung's estimate: across chains, or from batch means of the trace for one chain. */
    private static double rungStandardError(LlcResult rung, List<ChainResult> chains) {
        int good = (int) Arrays.stream(rung.perChain()).filter(v -> !Double.isNaN(v)).count();
        if (good > 1) {
            return rung.std() / Math.sqrt(good);
        }
        double[] trace = rung.meanTrace();
        double[] meanSe = Statistics.meanAndBatchStandardError(trace, 0, trace.length);
        return meanSe[1];
    }

    /**
     * Weighted least squares of y on x = 1/log s with weights 1/se²: returns {intercept, slope,
     * se(intercept), se(slope)} from (XᵀWX)⁻¹.
     */
    static double[] weightedLine(double[] s, double[] y, double[] se) {
        double sw = 0;
        double sx = 0;
        double sy = 0;
        double sxx = 0;
        double sxy = 0;
        for (int k = 0; k < s.length; k++) {
            double x = 1.0 / Math.log(s[k]);
            double w = se[k] > 0 && Double.isFinite(se[k]) ? 1.0 / (se[k] * se[k]) : 1.0;
            sw += w;
            sx += w * x;
            sy += w * y[k];
            sxx += w * x * x;
            sxy += w * x * y[k];
        }
        double det = sw * sxx - sx * sx;
        double slope = (sw * sxy - sx * sy) / det;
        double intercept = (sy - slope * sx) / sw;
        return new double[] {intercept, slope, Math.sqrt(sxx / det), Math.sqrt(sw / det)};
    }

    /**
     * The bin of t among log-spaced edges (edges[b] ≤ t < edges[b+1]; t within [edges[0], edges[last])): the
     * logarithm's guess, settled by comparing with the edges, so the bin is exactly the one a search of the
     * edges finds whatever the rounding of the logarithm. A binary search per draw was the estimator's
     * largest single cost (its branches mispredict on every draw).
     */
    static int bin(double[] edges, double t, double logLo, double width) {
        int last = edges.length - 2;
        int b = (int) ((Math.log(t) - logLo) / width);
        b = Math.max(0, Math.min(last, b));
        while (b > 0 && t < edges[b]) {
            b--;
        }
        while (b < last && t >= edges[b + 1]) {
            b++;
        }
        return b;
    }

    /**
     * The values at sorted positions {@code low} and {@code high} (low ≤ high) of {@code a}. Near the ends — the
     * 1% and 99% quantiles the histogram's range takes, a few values in from each end — one pass keeps the few
     * smallest and largest values seen; otherwise quickselect, which reorders {@code a}.
     */
    static double[] orderStatistics(double[] a, int low, int high) {
        int fromTop = a.length - 1 - high;
        if (low >= SMALL_TAIL || fromTop >= SMALL_TAIL) {
            double l = select(a, 0, a.length - 1, low);
            return new double[] {l, select(a, low, a.length - 1, high)};
        }
        double[] smallest = new double[low + 1];
        double[] largest = new double[fromTop + 1]; // descending
        int ns = 0;
        int nl = 0;
        for (double x : a) {
            if (ns < smallest.length || x < smallest[ns - 1]) {
                int i = ns < smallest.length ? ns++ : ns - 1;
                while (i > 0 && smallest[i - 1] > x) {
                    smallest[i] = smallest[i - 1];
                    i--;
                }
                smallest[i] = x;
            }
            if (nl < largest.length || x > largest[nl - 1]) {
                int i = nl < largest.length ? nl++ : nl - 1;
                while (i > 0 && largest[i - 1] < x) {
                    largest[i] = largest[i - 1];
                    i--;
                }
                largest[i] = x;
            }
        }
        return new double[] {smallest[low], largest[fromTop]};
    }

    /** The k-th smallest value (0-based), by quickselect; reorders {@code a}. */
    static double select(double[] a, int k) {
        return select(a, 0, a.length - 1, k);
    }

    /**
     * The value that would sit at index k if a[left..right] were sorted, by quickselect; reorders that range so
     * that a[k] holds it, every value before k in the range is at most a[k] and every value after at least.
     */
    static double select(double[] a, int left, int right, int k) {
        while (left < right) {
            double pivot = a[(left + right) >>> 1];
            int i = left;
            int j = right;
            while (i <= j) {
                while (a[i] < pivot) {
                    i++;
                }
                while (a[j] > pivot) {
                    j--;
                }
                if (i <= j) {
                    double t = a[i];
                    a[i] = a[j];
                    a[j] = t;
                    i++;
                    j--;
                }
            }
            if (k <= j) {
                right = j;
            } else if (k >= i) {
                left = i;
            } else {
                return a[k];
            }
        }
        return a[k];
    }

    /**
     * The log density of states over log-spaced bins of t, by WHAM over the rungs (see {@link #wham}): g(t_b) =
     * Σ_k H_k(b) / Σ_k N_k·e^(f_k − s_k t_b) with e^(−f_k) = Σ_b g(t_b)·e^(−s_k t_b), iterated to
     * self-consistency. Only t > 0 enters (draws below the centre carry no density information about the
     * singularity).
     */
    static double[][] logDensity(SgldSampler.Samples samples) {
        double[] s = samples.nBetas();
        List<double[]> perRung = new ArrayList<>();
        double lo = Double.POSITIVE_INFINITY;
        double hi = 0;
        for (int k = 0; k < s.length; k++) {
            int size = 0;
            for (ChainResult c : samples.atTemperature(k)) {
                size += c.diverged() ? 0 : c.losses().length;
            }
            double[] arr = new double[size];
            int n = 0;
            for (ChainResult c : samples.atTemperature(k)) {
                if (c.diverged()) {
                    continue;
                }
                for (double l : c.losses()) {
                    double t = l - samples.centerLoss();
                    if (t > 0) {
                        arr[n++] = t;
                    }
                }
            }
            arr = Arrays.copyOf(arr, n);
            perRung.add(arr);
            if (arr.length > 0) {
                // Two order statistics, not a sort: this runs once per checkpoint in the estimator topology.
                int low = (int) (0.01 * arr.length);
                int high = Math.max(low, (int) (0.99 * (arr.length - 1)));
                double[] bounds = orderStatistics(arr, low, high);
                lo = Math.min(lo, bounds[0]);
                hi = Math.max(hi, bounds[1]);
            }
        }
        if (!(hi > lo) || lo <= 0) {
            return new double[][] {new double[0], new double[0]};
        }
        double logLo = Math.log(lo);
        double width = (Math.log(hi) - logLo) / BINS;
        double[] centers = new double[BINS];
        double[] binWidth = new double[BINS];
        double[] edges = new double[BINS + 1];
        for (int b = 0; b <= BINS; b++) {
            edges[b] = Math.exp(logLo + b * width);
        }
        for (int b = 0; b < BINS; b++) {
            centers[b] = Math.exp(logLo + (b + 0.5) * width);
            binWidth[b] = edges[b + 1] - edges[b];
        }
        double[][] counts = new double[s.length][BINS];
        double[] total = new double[s.length];
        for (int k = 0; k < s.length; k++) {
            for (double t : perRung.get(k)) {
                if (t >= edges[0] && t < edges[BINS]) {
                    int b = bin(edges, t, logLo, width);
                    counts[k][b]++;
                    total[k]++;
                }
            }
        }
        // The logarithms and energies the iteration reuses, computed once (the same values, in the same order).
        double[] logTotal = new double[s.length];
        for (int k = 0; k < s.length; k++) {
            logTotal[k] = Math.log(total[k]);
        }
        double[] logWidth = new double[BINS];
        for (int b = 0; b < BINS; b++) {
            logWidth[b] = Math.log(binWidth[b]);
        }
        double[][] energy = new double[s.length][BINS];
        for (int k = 0; k < s.length; k++) {
            for (int b = 0; b < BINS; b++) {
                energy[k][b] = s[k] * centers[b];
            }
        }
        double[] logG = wham(counts, total, logTotal, energy, binWidth, logWidth);
        double top = Arrays.stream(logG).max().orElse(0);
        List<double[]> kept = new ArrayList<>();
        for (int b = 0; b < BINS; b++) {
            if (logG[b] > Double.NEGATIVE_INFINITY) {
                kept.add(new double[] {centers[b], logG[b] - top});
            }
        }
        double[] ts = new double[kept.size()];
        double[] logs = new double[kept.size()];
        for (int i = 0; i < kept.size(); i++) {
            ts[i] = kept.get(i)[0];
            logs[i] = kept.get(i)[1];
        }
        return new double[][] {ts, logs};
    }

    /**
     * The WHAM fixed point, log g(t_b) up to a constant. Iterated on Boltzmann factors computed once,
     * B_kb = e^(−(s_k t_b − s_k t_0)) with t_0 the lowest bin, so that an iteration is multiplications only
     * (this runs once per checkpoint in the estimator topology); with z_k = e^(f_k − s_k t_0),
     * g_b = H_b / (w_b Σ_k N_k z_k B_kb) and 1/z_k = Σ_b g_b w_b B_kb. Where the energies span too much for
     * the factors to stay above underflow, the same iteration runs in log space.
     */
    static double[] wham(double[][] counts, double[] total, double[] logTotal, double[][] energy, double[] binWidth,
                         double[] logWidth) {
        int rungs = counts.length;
        double span = 0;
        for (int k = 0; k < rungs; k++) {
            span = Math.max(span, energy[k][BINS - 1] - energy[k][0]);
        }
        if (!(span < LINEAR_SPAN)) {
            return whamInLogSpace(counts, total, logTotal, energy, binWidth, logWidth);
        }
        double[][] boltzmann = new double[rungs][BINS];
        for (int k = 0; k < rungs; k++) {
            for (int b = 0; b < BINS; b++) {
                boltzmann[k][b] = Math.exp(-(energy[k][b] - energy[k][0]));
            }
        }
        double[] histogram = new double[BINS];
        for (int b = 0; b < BINS; b++) {
            for (int k = 0; k < rungs; k++) {
                histogram[b] += counts[k][b];
            }
        }
        double[] z = new double[rungs];
        double[] logZ = new double[rungs];
        for (int k = 0; k < rungs; k++) {
            // f_k = 0 to start, as in log space
            logZ[k] = -energy[k][0];
        }
        double shift0 = logZ[0];
        for (int k = 0; k < rungs; k++) {
            logZ[k] -= shift0;
            z[k] = Math.exp(logZ[k]);
        }
        double[] g = new double[BINS];
        double[] next = new double[rungs];
        for (int iteration = 0; iteration < 500; iteration++) {
            for (int b = 0; b < BINS; b++) {
                double denominator = 0;
                for (int k = 0; k < rungs; k++) {
                    if (total[k] > 0) {
                        denominator += total[k] * z[k] * boltzmann[k][b];
                    }
                }
                g[b] = histogram[b] > 0 ? histogram[b] / (binWidth[b] * denominator) : 0;
            }
            double change = 0;
            for (int k = 0; k < rungs; k++) {
                double sum = 0;
                for (int b = 0; b < BINS; b++) {
                    sum += g[b] * binWidth[b] * boltzmann[k][b];
                }
                next[k] = -Math.log(sum);
            }
            double shift = next[0];
            for (int k = 0; k < rungs; k++) {
                double value = next[k] - shift;
                change = Math.max(change, Math.abs(value - logZ[k]));
                logZ[k] = value;
                z[k] = Math.exp(value);
            }
            if (change < 1e-9) {
                break;
            }
        }
        double[] logG = new double[BINS];
        for (int b = 0; b < BINS; b++) {
            logG[b] = g[b] > 0 ? Math.log(g[b]) : Double.NEGATIVE_INFINITY;
        }
        return logG;
    }

    /** The same fixed point with every quantity a logarithm: slower, but safe for any span of energies. */
    private static double[] whamInLogSpace(double[][] counts, double[] total, double[] logTotal, double[][] energy,
                                           double[] binWidth, double[] logWidth) {
        int rungs = counts.length;
        double[] f = new double[rungs];
        double[] logG = new double[BINS];
        for (int iteration = 0; iteration < 500; iteration++) {
            for (int b = 0; b < BINS; b++) {
                double numerator = 0;
                for (int k = 0; k < rungs; k++) {
                    numerator += counts[k][b];
                }
                // log Σ_k N_k e^(f_k − s_k t_b), stably.
                double max = Double.NEGATIVE_INFINITY;
                for (int k = 0; k < rungs; k++) {
                    if (total[k] > 0) {
                        max = Math.max(max, logTotal[k] + f[k] - energy[k][b]);
                    }
                }
                double sum = 0;
                for (int k = 0; k < rungs; k++) {
                    if (total[k] > 0) {
                        sum += Math.exp(logTotal[k] + f[k] - energy[k][b] - max);
                    }
                }
                logG[b] = numerator > 0 ? Math.log(numerator / binWidth[b]) - (max + Math.log(sum))
                        : Double.NEGATIVE_INFINITY;
            }
            double change = 0;
            for (int k = 0; k < rungs; k++) {
                double max = Double.NEGATIVE_INFINITY;
                for (int b = 0; b < BINS; b++) {
                    if (logG[b] > Double.NEGATIVE_INFINITY) {
                        max = Math.max(max, logG[b] + logWidth[b] - energy[k][b]);
                    }
                }
                double sum = 0;
                for (int b = 0; b < BINS; b++) {
                    if (logG[b] > Double.NEGATIVE_INFINITY) {
                        sum += Math.exp(logG[b] + logWidth[b] - energy[k][b] - max);
                    }
                }
                double next = -(max + Math.log(sum));
                change = Math.max(change, Math.abs(next - f[k]));
                f[k] = next;
            }
            double shift = f[0];
            for (int k = 0; k < rungs; k++) {
                f[k] -= shift;
            }
            if (change < 1e-9) {
                break;
            }
        }
        return logG;
    }

    /** Slope of log v(t) against log t over the lower half of the curve, plus one: λ when m = 1. */
    static double curveLambda(double[] t, double[] logV) {
        int half = t.length / 2;
        if (half < 4) {
            return Double.NaN;
        }
        double mx = 0;
        double my = 0;
        for (int i = 0; i < half; i++) {
            mx += Math.log(t[i]);
            my += logV[i];
        }
        mx /= half;
        my /= half;
        double sxy = 0;
        double sxx = 0;
        for (int i = 0; i < half; i++) {
            double dx = Math.log(t[i]) - mx;
            sxy += dx * (logV[i] - my);
            sxx += dx * dx;
        }
        return sxx == 0 ? Double.NaN : sxy / sxx + 1;
    }
}
