package dev.spectroscope.slt.estimate;

import dev.spectroscope.slt.sampler.ChainResult;
import dev.spectroscope.slt.sampler.SgldSampler;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.apache.commons.math3.special.Gamma;

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
    /** ψ diverges at 0; below this λ the shift is held at ψ(0.05) ≈ −20, already far beyond any log s it corrects. */
    private static final double MIN_SHIFT_LAMBDA = 0.05;

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
        double[][] perChain = new double[rungs][];
        boolean dominated = false;
        for (int k = 0; k < rungs; k++) {
            List<ChainResult> chains = samples.atTemperature(k);
            LlcResult rung = LlcEstimator.estimate(chains);
            y[k] = rung.mean();
            se[k] = rungStandardError(rung, chains);
            perChain[k] = rung.perChain();
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
        // Every rung goes into the line, whatever its localization share: on the reference models that share barely
        // moves over six decades of nβ (a homogeneous loss trades γ for nβ), so it enters E[s·t] through the
        // expansion's constant, not as a departure from it. Dropping rungs by it removed the very leverage the line
        // needs: dln[2,2,2,2,2] rank 0 came out +28% with the rungs above one half left out, +1% with all of them.
        double[] weightsSe = smoothed(s, se);
        Line line = weightedLine(s, y, weightsSe);
        double m = 1 - line.slope();
        if (m < 1 - 2 * line.slopeStderr()) {
            diagnostics.add(String.format(Locale.ROOT, "the fitted multiplicity %.2f is below 1 by more than two "
                    + "standard errors: the rungs are not in the asymptotic regime; widen the ladder or draw more", m));
        }
        if (m < 1) {
            // m ≥ 1 by definition: a line falling towards the cold end says nothing the rungs' mean does not.
            // Extrapolating it anyway cost dln[2,6,9,10] rank 0 −10.6% (m̂ = −8) where the mean is +6%.
            line = level(y, weightsSe, line.slopeStderr());
            m = 1;
        }
        double lambda = line.intercept();
        double acrossChains = interceptAcrossChains(perChain, line);
        double[][] curve = logDensity(samples);
        double curveLambda = curveLambda(curve[0], curve[1]);
        if (!Double.isNaN(curveLambda) && Math.abs(curveLambda - lambda) > 0.25 * Math.abs(lambda)) {
            diagnostics.add(String.format(Locale.ROOT, "the two reads of λ disagree: %.3g from the ladder, %.3g "
                    + "from the density-of-states curve", lambda, curveLambda));
        }
        return new DosResult(lambda, line.interceptStderr(), m, line.slopeStderr(), s.clone(), y, se, curve[0],
                curve[1], curveLambda, share, dominated, List.copyOf(diagnostics), acrossChains);
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
     * The line through the rungs: intercept λ and slope −(m − 1) with their standard errors, the shift ψ(λ) it
     * settled at, and the intercept as a weighted sum of the rungs' values (Σ a_k y_k), so that the same line can
     * be read for each chain alone.
     */
    record Line(double intercept, double slope, double interceptStderr, double slopeStderr, double shift,
                double[] interceptWeights) {
    }

    /**
     * Weighted least squares of y on x = 1/(log s − ψ(λ)) with weights 1/se². The shift ψ(λ) is the next term of
     * the partition function's expansion (∫ u^(λ−1) (log s − log u)^(m−1) e^(−u) du gives
     * E[s·t] ≈ λ − (m−1)/(log s − ψ(λ))), within 1–3% of the exact finite-s value on the normal crossings; λ is not
     * known before the fit, so the fit is repeated with the shift at the last intercept until it settles.
     */
    static Line weightedLine(double[] s, double[] y, double[] se) {
        Line fit = line(s, y, se, 0);
        for (int round = 0; round < 50; round++) {
            Line next = line(s, y, se, shiftFor(fit.intercept()));
            boolean settled = Math.abs(next.intercept() - fit.intercept()) <= 1e-12 * Math.max(1, Math.abs(next.intercept()));
            fit = next;
            if (settled) {
                break;
            }
        }
        return fit;
    }

    /** The line held at m = 1 (slope 0): the rungs' weighted mean, keeping the free fit's slope error. */
    static Line level(double[] y, double[] se, double slopeStderr) {
        double sw = 0;
        double swy = 0;
        double[] w = new double[y.length];
        for (int k = 0; k < y.length; k++) {
            w[k] = weight(se[k]);
            sw += w[k];
            swy += w[k] * y[k];
        }
        double[] a = new double[y.length];
        for (int k = 0; k < y.length; k++) {
            a[k] = w[k] / sw;
        }
        return new Line(swy / sw, 0, Math.sqrt(1 / sw), slopeStderr, 0, a);
    }

    /** A rung's weight 1/se²; 1 where its standard error is unknown. */
    private static double weight(double se) {
        return se > 0 && Double.isFinite(se) ? 1.0 / (se * se) : 1.0;
    }

    private static double shiftFor(double lambda) {
        return lambda > 0 ? Gamma.digamma(Math.max(lambda, MIN_SHIFT_LAMBDA)) : 0;
    }

    private static Line line(double[] s, double[] y, double[] se, double shift) {
        int n = s.length;
        double[] x = new double[n];
        double[] w = new double[n];
        double sw = 0;
        double sx = 0;
        double sy = 0;
        double sxx = 0;
        double sxy = 0;
        for (int k = 0; k < n; k++) {
            x[k] = 1.0 / (Math.log(s[k]) - shift);
            w[k] = weight(se[k]);
            sw += w[k];
            sx += w[k] * x[k];
            sy += w[k] * y[k];
            sxx += w[k] * x[k] * x[k];
            sxy += w[k] * x[k] * y[k];
        }
        double det = sw * sxx - sx * sx;
        double slope = (sw * sxy - sx * sy) / det;
        double intercept = (sy - slope * sx) / sw;
        double[] a = new double[n];
        for (int k = 0; k < n; k++) {
            a[k] = w[k] * (sxx - sx * x[k]) / det;
        }
        return new Line(intercept, slope, Math.sqrt(sxx / det), Math.sqrt(sw / det), shift, a);
    }

    /**
     * The rungs' standard errors smoothed by a straight line of log se against log s. Each comes from the spread of
     * a few chains and is itself uncertain by a quarter or more; weighting by the raw values let a rung whose chains
     * happened to agree pull the line (dln[9,9,9] rank 4: +3.2% against +0.7% with smoothed weights).
     */
    static double[] smoothed(double[] s, double[] se) {
        int n = 0;
        double mx = 0;
        double my = 0;
        for (int k = 0; k < s.length; k++) {
            if (se[k] > 0 && Double.isFinite(se[k])) {
                n++;
                mx += Math.log(s[k]);
                my += Math.log(se[k]);
            }
        }
        if (n < 3) {
            return se.clone();
        }
        mx /= n;
        my /= n;
        double sxy = 0;
        double sxx = 0;
        for (int k = 0; k < s.length; k++) {
            if (se[k] > 0 && Double.isFinite(se[k])) {
                double dx = Math.log(s[k]) - mx;
                sxx += dx * dx;
                sxy += dx * (Math.log(se[k]) - my);
            }
        }
        double b = sxx > 0 ? sxy / sxx : 0;
        double[] out = new double[s.length];
        for (int k = 0; k < s.length; k++) {
            out[k] = Math.exp(my + b * (Math.log(s[k]) - mx));
        }
        return out;
    }

    /** The sample standard deviation across chains of the line's intercept read from each chain's rungs alone. */
    private static double interceptAcrossChains(double[][] perChain, Line line) {
        int rungs = perChain.length;
        int chains = Integer.MAX_VALUE;
        for (double[] rung : perChain) {
            chains = Math.min(chains, rung.length);
        }
        double sum = 0;
        double sumSq = 0;
        int good = 0;
        for (int c = 0; c < chains; c++) {
            double v = 0;
            for (int k = 0; k < rungs; k++) {
                v += line.interceptWeights()[k] * perChain[k][c];
            }
            if (Double.isFinite(v)) {
                good++;
                sum += v;
                sumSq += v * v;
            }
        }
        if (good < 2) {
            return Double.NaN;
        }
        double mean = sum / good;
        return Math.sqrt(Math.max(0, (sumSq - good * mean * mean) / (good - 1)));
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
