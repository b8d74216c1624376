package dev.spectroscope.transition;

import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;

/**
 * How the transition topology watches a run. The defaults suit the examples; a run overrides any key by a
 * RunStarted tag {@code detector.<key>} (so a replay can re-analyse a run with new settings).
 *
 * <table>
 *   <caption>Keys</caption>
 *   <tr><td>signals</td><td>which signals may open a transition: loss, llc, dos, concepts (comma-separated)</td></tr>
 *   <tr><td>merge-checkpoints</td><td>moves whose starts lie this many checkpoints apart or less are one transition</td></tr>
 *   <tr><td>loss-block-steps</td><td>training steps averaged into one point of the loss signal</td></tr>
 *   <tr><td>concept.relative, concept.absolute</td><td>how far a concept probe must leave its plateau</td></tr>
 *   <tr><td>loss.relative</td><td>how far (relative) the block-mean loss must leave its plateau</td></tr>
 *   <tr><td>llc.threshold, llc.min-effect</td><td>BOCPD posterior mass and smallest relative change of λ̂</td></tr>
 *   <tr><td>dos.threshold, dos.min-effect</td><td>the same for the DOS λ</td></tr>
 *   <tr><td>silence-seconds</td><td>a run that sends nothing this long (and has not ended) raises an alert</td></tr>
 * </table>
 */
public record DetectorSettings(Set<String> signals, int mergeCheckpoints, int lossBlockSteps,
                               ExcursionDetector.Settings concept, ExcursionDetector.Settings loss,
                               BocpdDetector.Settings llc, BocpdDetector.Settings dos, Duration silence) {

    public static final String TAG_PREFIX = "detector.";
    public static final Set<String> ALL_SIGNALS = Set.of("loss", "llc", "dos", "concepts");

    public DetectorSettings {
        if (!ALL_SIGNALS.containsAll(signals)) {
            throw new IllegalArgumentException("signals must be among " + ALL_SIGNALS + ", got " + signals);
        }
        if (mergeCheckpoints < 0 || lossBlockSteps < 1 || silence.isNegative() || silence.isZero()) {
            throw new IllegalArgumentException("merge-checkpoints ≥ 0, loss-block-steps ≥ 1 and a positive silence "
                    + "are required");
        }
    }

    public static DetectorSettings defaults() {
        return new DetectorSettings(ALL_SIGNALS, 2, 100,
                new ExcursionDetector.Settings(0.25, 0.2, 0.15, 0.3, 15),
                new ExcursionDetector.Settings(0.3, 1e-6, 0.15, 0.3, 15),
                new BocpdDetector.Settings(25, 0.7, 3, 0.1, 0.02, 0.3, 60),
                new BocpdDetector.Settings(25, 0.8, 3, 0.2, 0.05, 0.5, 60),
                Duration.ofMinutes(5));
    }

    public boolean watches(String signal) {
        return signals.contains(signal);
    }

    /**
     * These settings with a run's {@code detector.*} tags applied.
     *
     * @throws IllegalArgumentException naming the tag, when a value does not parse or is out of range
     */
    public DetectorSettings withTags(Map<String, String> tags) {
        DetectorSettings s = this;
        for (Map.Entry<String, String> tag : tags.entrySet()) {
            if (!tag.getKey().startsWith(TAG_PREFIX)) {
                continue;
            }
            String key = tag.getKey().substring(TAG_PREFIX.length());
            String value = tag.getValue().trim();
            try {
                s = s.with(key, value);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("tag " + tag.getKey() + "=" + value + ": " + e.getMessage(), e);
            }
        }
        return s;
    }

    private DetectorSettings with(String key, String value) {
        ExcursionDetector.Settings c = concept;
        ExcursionDetector.Settings l = loss;
        BocpdDetector.Settings lc = llc;
        BocpdDetector.Settings d = dos;
        BiFunction<BocpdDetector.Settings, double[], BocpdDetector.Settings> bocpd = (b, tm) ->
                new BocpdDetector.Settings(b.expectedGap(), tm[0], b.lag(), b.relativeNoise(), b.absoluteNoise(), tm[1],
                        b.maxRunLength());
        return switch (key) {
            case "signals" -> new DetectorSettings(Set.of(value.toLowerCase(Locale.ROOT).split("\\s*,\\s*")),
                    mergeCheckpoints, lossBlockSteps, c, l, lc, d, silence);
            case "merge-checkpoints" -> new DetectorSettings(signals, Integer.parseInt(value), lossBlockSteps, c, l, lc,
                    d, silence);
            case "loss-block-steps" -> new DetectorSettings(signals, mergeCheckpoints, Integer.parseInt(value), c, l,
                    lc, d, silence);
            case "concept.relative" -> withConcept(new ExcursionDetector.Settings(number(value), c.absolute(),
                    c.settle(), c.startFraction(), c.maxOpen()));
            case "concept.absolute" -> withConcept(new ExcursionDetector.Settings(c.relative(), number(value),
                    c.settle(), c.startFraction(), c.maxOpen()));
            case "loss.relative" -> new DetectorSettings(signals, mergeCheckpoints, lossBlockSteps, c,
                    new ExcursionDetector.Settings(number(value), l.absolute(), l.settle(), l.startFraction(),
                            l.maxOpen()), lc, d, silence);
            case "llc.threshold" -> withBocpd(bocpd.apply(lc, new double[] {number(value), lc.minEffect()}), d);
            case "llc.min-effect" -> withBocpd(bocpd.apply(lc, new double[] {lc.threshold(), number(value)}), d);
            case "dos.threshold" -> withBocpd(lc, bocpd.apply(d, new double[] {number(value), d.minEffect()}));
            case "dos.min-effect" -> withBocpd(lc, bocpd.apply(d, new double[] {d.threshold(), number(value)}));
            case "silence-seconds" -> new DetectorSettings(signals, mergeCheckpoints, lossBlockSteps, c, l, lc, d,
                    Duration.ofSeconds(Long.parseLong(value)));
            default -> throw new IllegalArgumentException("unknown detector setting '" + key + "'; known: signals, "
                    + "merge-checkpoints, loss-block-steps, concept.relative, concept.absolute, loss.relative, "
                    + "llc.threshold, llc.min-effect, dos.threshold, dos.min-effect, silence-seconds");
        };
    }

    private DetectorSettings withConcept(ExcursionDetector.Settings c) {
        return new DetectorSettings(signals, mergeCheckpoints, lossBlockSteps, c, loss, llc, dos, silence);
    }

    private DetectorSettings withBocpd(BocpdDetector.Settings l, BocpdDetector.Settings d) {
        return new DetectorSettings(signals, mergeCheckpoints, lossBlockSteps, concept, loss, l, d, silence);
    }

    private static double number(String value) {
        double v = Double.parseDouble(value);
        if (!Double.isFinite(v)) {
            throw new IllegalArgumentException("not a finite number: " + value);
        }
        return v;
    }
}
