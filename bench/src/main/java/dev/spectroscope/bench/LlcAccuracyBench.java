package dev.spectroscope.bench;

import dev.spectroscope.slt.reference.LearningCoefficients;
import dev.spectroscope.slt.reference.NormalCrossing;
import dev.spectroscope.slt.reference.ReferenceDefaults;
import dev.spectroscope.slt.reference.Validation;
import dev.spectroscope.slt.sampler.SgldSettings;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The LLC estimator against closed forms: deep linear networks (Aoyagi) of two to five layers, several
 * ranks and both parities, and normal-crossing potentials, each with the family's documented defaults.
 * Prints the table and writes it to docs/benchmarks/llc-accuracy.md.
 *
 * <p>{@code bench/run llc-accuracy [--seed S] [--out FILE]}
 */
public final class LlcAccuracyBench {

    /**
     * widths…, rank: two to five layers, ranks 0 to 4, both parities of M+H+N+r for the two-layer ones, and the
     * narrow deep rank-0 shapes of largest multiplicity in the range (m = 5 and 7), where one temperature is
     * furthest from λ.
     */
    static final int[][] DLN = {
            {5, 3, 5, 1}, {4, 4, 4, 0}, {3, 5, 2, 2}, {6, 2, 6, 1}, {5, 3, 5, 0}, {8, 4, 8, 3}, {10, 5, 10, 2},
            {7, 3, 4, 2}, {9, 9, 9, 4}, {4, 3, 3, 4, 2}, {5, 4, 3, 2, 1}, {2, 4, 4, 2, 0}, {2, 6, 3, 5, 1},
            {3, 4, 5, 6, 2}, {3, 3, 3, 3, 3, 1}, {6, 4, 2, 4, 6, 2}, {4, 2, 6, 2, 4, 1}, {3, 2, 2, 2, 2, 3, 1},
            {6, 5, 4, 3, 2, 1, 1}, {2, 2, 2, 2, 2, 0}, {2, 2, 2, 2, 2, 2, 0}};

    /** k…, h…: normal crossings with λ from 1/6 to 1/2, multiplicities 1 to 3, with and without prior powers. */
    static final int[][][] NORMAL_CROSSING = {
            {{1, 1}, {0, 0}}, {{1, 2}, {0, 0}}, {{1, 3}, {0, 0}}, {{2, 2}, {0, 0}}, {{1, 1, 1}, {0, 0, 0}},
            {{1, 2}, {1, 0}}, {{3, 3}, {2, 1}}, {{2, 3}, {0, 1}}};

    private LlcAccuracyBench() {
    }

    public static void main(String[] args) throws IOException {
        long seed = 7;
        Path out = Path.of("docs", "benchmarks", "llc-accuracy.md");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--seed" -> seed = Long.parseLong(args[++i]);
                case "--out" -> out = Path.of(args[++i]);
                default -> throw new IllegalArgumentException("unknown option " + args[i] + "; use --seed S, --out FILE");
            }
        }
        List<String> rows = new ArrayList<>();
        List<Double> dlnErrors = new ArrayList<>();
        List<double[]> ordering = new ArrayList<>();
        String header = "| model | true λ | λ̂ ± sd | rel. error | true m | m̂ ± se | λ̂ at n/log n alone (error) "
                + "| ladder | swaps accepted | seconds | SGLD steps/s |";
        rows.add(header);
        rows.add("|---|---|---|---|---|---|---|---|---|---|---|");
        System.out.println(header);
        for (int[] c : DLN) {
            int[] widths = Arrays.copyOf(c, c.length - 1);
            Validation.Report r = Validation.deepLinearNetwork(widths, c[c.length - 1], seed, 2);
            dlnErrors.add(Math.abs(r.relativeError()));
            ordering.add(new double[] {r.truth().lambdaValue(), r.lambdaHat()});
            rows.add(row(r));
            System.out.println(rows.get(rows.size() - 1));
        }
        List<Double> ncErrors = new ArrayList<>();
        List<Double> samplerErrors = new ArrayList<>();
        List<String> intrinsic = new ArrayList<>();
        List<String> ncRows = new ArrayList<>();
        ncRows.add("| potential | true λ | true m | λ̂ ± sd | λ̂ vs λ | m̂ ± se | exact at the coldest nβ (its gap to λ) "
                + "| coldest rung ± sd | rung vs exact | lone chain vs exact | swaps accepted | seconds |");
        ncRows.add("|---|---|---|---|---|---|---|---|---|---|---|---|");
        List<Double> loneErrors = new ArrayList<>();
        for (int[][] c : NORMAL_CROSSING) {
            Validation.Report r = Validation.normalCrossing(c[0], c[1], seed, 2);
            // The same chains at the same nβ without the ladder's exchange: what replica exchange is for.
            NormalCrossing nc = new NormalCrossing(c[0], c[1], ReferenceDefaults.NORMAL_CROSSING_SAMPLES);
            SgldSettings alone = ReferenceDefaults.normalCrossing(seed);
            double lone = Validation.run(nc, nc.truth(), alone, new double[] {1.0}, 2).lambdaRung();
            double loneError = lone / r.exactAtNBeta() - 1;
            loneErrors.add(Math.abs(loneError));
            ncErrors.add(Math.abs(r.relativeError()));
            samplerErrors.add(Math.abs(r.samplerError()));
            double gap = r.exactAtNBeta() / r.truth().lambdaValue() - 1;
            if (Math.abs(gap) > 0.2) {
                intrinsic.add(String.format(Locale.ROOT, "%s (%+.1f%%)", r.model().replace("normal-crossing ", ""),
                        100 * gap));
            }
            ncRows.add(String.format(Locale.ROOT, "| %s | %s | %d | %.4f ± %.4f | %+.1f%% | %.2f ± %.2f | %.4f (%+.1f%%) "
                            + "| %.4f ± %.4f | %+.1f%% | %+.1f%% | ≥ %.0f%% | %.1f |",
                    r.model().replace("normal-crossing ", ""), fraction(r), r.truth().multiplicity(), r.lambdaHat(),
                    r.lambdaHatStd(), 100 * r.relativeError(), r.mHat(), r.mHatStd(), r.exactAtNBeta(), 100 * gap,
                    r.lambdaRung(), r.lambdaRungStd(), 100 * r.samplerError(), 100 * loneError,
                    100 * r.swapAcceptance(), r.seconds()));
            System.out.println(ncRows.get(ncRows.size() - 1));
        }
        List<Double> sorted = new ArrayList<>(dlnErrors);
        sorted.sort(null);
        double median = sorted.get(sorted.size() / 2);
        double max = sorted.get(sorted.size() - 1);
        long within15 = dlnErrors.stream().filter(e -> e <= 0.15).count();
        long ncWithin20 = ncErrors.stream().filter(e -> e <= 0.20).count();
        int inversions = 0;
        int pairs = 0;
        for (int i = 0; i < ordering.size(); i++) {
            for (int j = i + 1; j < ordering.size(); j++) {
                double[] a = ordering.get(i);
                double[] b = ordering.get(j);
                if (a[0] != b[0]) {
                    pairs++;
                    if ((a[0] - b[0]) * (a[1] - b[1]) < 0) {
                        inversions++;
                    }
                }
            }
        }
        String summary = String.format(Locale.ROOT, "Deep linear networks: median |error| %.1f%%, max %.1f%%, %d of %d "
                        + "within 15%%; λ̂ orders %d of %d pairs with different λ as λ does. Normal crossings: %d of %d "
                        + "within 20%% of λ (max |error| %.1f%%); at the coldest rung the sampler is within %.1f%% of "
                        + "the exact finite-nβ value on every one (a lone chain at the same nβ, without exchange: up to "
                        + "%.1f%% off it); potentials where that value lies more than 20%% from λ, which only the line "
                        + "can bring within the bound: %s.", 100 * median, 100 * max, within15, dlnErrors.size(), pairs - inversions, pairs,
                ncWithin20, ncErrors.size(), 100 * ncErrors.stream().mapToDouble(Double::doubleValue).max()
                        .orElse(Double.NaN), 100 * samplerErrors.stream().mapToDouble(Double::doubleValue).max()
                        .orElse(Double.NaN), 100 * loneErrors.stream().mapToDouble(Double::doubleValue).max()
                        .orElse(Double.NaN), intrinsic.isEmpty() ? "none" : String.join(", ", intrinsic));
        System.out.println(summary);
        String doc = "# LLC accuracy against closed forms\n\n"
                + "Generated by `bench/run llc-accuracy --seed " + seed + "` (2 cores, `OMP_NUM_THREADS=1`). True λ "
                + "and m: Aoyagi's formula for deep linear networks, min (h+1)/(2k) for normal crossings "
                + "(`LearningCoefficients`, exact fractions). λ̂ and m̂: the line s·E_s[t] = λ − (m−1)/(log s − ψ(λ)) "
                + "through the LLC of every rung of the family's temperature ladder (intercept λ, slope −(m−1); "
                + "`DosEstimator`, weights from the rungs' smoothed standard errors), ± the spread of the same line read "
                + "from each chain's rungs alone. At one temperature the LLC lies −(m−1)/(log nβ − ψ(λ)) below λ for "
                + "multiplicity m; across a ladder that spans decades of nβ the term has its own slope "
                + "(docs/science/llc-estimation.md §4).\n\n"
                + "Defaults (`ReferenceDefaults`) — deep linear networks: n = 10⁶ samples, σ = 1, the noise projected "
                + "off the inputs (so the empirical minimum set is exactly the teacher's), the chains centred at the most "
                + "singular point of that set, the teacher's map factored through rank-r layers (the origin for rank 0), "
                + "where the local coefficient is Aoyagi's λ (docs/science/llc-estimation.md §3); full-batch Langevin, "
                + "every step Metropolis-adjusted (the loss through its sufficient statistics is exact), with an RMSprop "
                + "preconditioner adapted in burn-in then frozen, ε = 1e-4, γ = 1, 8 chains × 40,000 draws after "
                + "40,000 burn-in steps on each of 12 rungs from nβ = n/log n colder, a factor r apart with "
                + "(r−1)/√(r²+1) = 0.89/√λ̂ for the λ̂ of a 2-chain pilot at n/log n (at most 4; `ExchangeLadder`), "
                + "replica exchange between neighbours every 50 steps, and after every step 4 basis changes per hidden "
                + "layer (W_k → D W_k, W_{k+1} → W_{k+1} D⁻¹, which keep the loss; docs/science/llc-estimation.md §5b). "
                + "Normal crossings: nβ = n/log n at n = 10¹² (K has no data: n is only a temperature); K has no "
                + "minibatch noise, so every step is Metropolis-adjusted (MALA, RMSprop preconditioner frozen after "
                + "burn-in), ε = 1e-3, 8 chains × 200,000 draws after 200,000 burn-in steps on each of 11 rungs a "
                + "factor 4 apart (nβ × 4⁻¹⁰ … 1), with replica exchange between neighbouring rungs every 50 steps.\n\n"
                + "\"λ̂ at n/log n alone\": the LLC of the ladder's hottest rung, the single-temperature estimate. "
                + "\"Ladder\": rungs × the factor between them.\n\n"
                + String.join("\n", rows) + "\n\n"
                + "Normal crossings, with the value a perfect sampler gives at the coldest rung's nβ: E[nβ·K] under "
                + "the localized tempered posterior, by quadrature (`NormalCrossing.expectedEnergy`). The coldest rung's "
                + "LLC against it is the sampler's error; it against λ is the single-temperature estimator's own bias, "
                + "≈ −(m−1)/(log nβ − ψ(λ)) for m ≥ 2 (docs/science/llc-estimation.md, \"Normal crossings\"). \"Lone "
                + "chain\": the same 8 chains at the same nβ without the ladder (no exchange), against the exact value. "
                + "\"Swaps accepted\": the lowest share between two neighbouring rungs.\n\n"
                + String.join("\n", ncRows) + "\n\n" + summary + "\n";
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, doc, StandardCharsets.UTF_8);
        System.out.println("wrote " + out);
    }

    private static String row(Validation.Report r) {
        double[] s = r.ladder().nBetas();
        double ratio = s.length > 1 ? s[1] / s[0] : Double.NaN;
        return String.format(Locale.ROOT, "| %s | %s | %.3f ± %.3f | %+.1f%% | %d | %.2f ± %.2f | %.3f (%+.1f%%) "
                        + "| %d × %.2f | ≥ %.0f%% | %.1f | %.0f |", r.model(), fraction(r), r.lambdaHat(), r.lambdaHatStd(),
                100 * r.relativeError(), r.truth().multiplicity(), r.mHat(), r.mHatStd(), r.lambdaRung(),
                100 * (r.lambdaRung() / r.truth().lambdaValue() - 1), s.length, ratio, 100 * r.swapAcceptance(),
                r.seconds(), r.sgldStepsPerSecond());
    }

    private static String fraction(Validation.Report r) {
        var l = r.truth().lambda();
        return l.getDenominator().intValue() == 1 ? l.getNumerator().toString() : l.getNumerator() + "/" + l.getDenominator();
    }

    static {
        // Fail fast on a broken formula before spending minutes sampling.
        LearningCoefficients.deepLinearNetwork(new int[] {5, 3, 5}, 1);
    }
}
