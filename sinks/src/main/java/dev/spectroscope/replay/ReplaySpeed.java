package dev.spectroscope.replay;

import java.util.Locale;

/**
 * How fast a replay goes: {@code max} sends as fast as Kafka takes it; {@code 1x} keeps the recorded gaps
 * between events, {@code 10x} divides them by ten.
 *
 * @param factor speed-up over the recording; infinite for {@code max}
 */
public record ReplaySpeed(double factor) {

    public static final ReplaySpeed MAX = new ReplaySpeed(Double.POSITIVE_INFINITY);

    public ReplaySpeed {
        if (!(factor > 0)) {
            throw new IllegalArgumentException("a replay speed must be positive, was " + factor);
        }
    }

    public static ReplaySpeed parse(String text) {
        String t = text.strip().toLowerCase(Locale.ROOT);
        if (t.equals("max")) {
            return MAX;
        }
        if (t.endsWith("x")) {
            try {
                return new ReplaySpeed(Double.parseDouble(t.substring(0, t.length() - 1)));
            } catch (IllegalArgumentException e) {
                // fall through to the message below
            }
        }
        throw new IllegalArgumentException("--speed is '" + text + "'; use max, 1x, 10x (any positive number then x)");
    }

    /** How long after the replay's start an event recorded this long after the run's start goes out. */
    public long delayMillis(long recordedOffsetMillis) {
        return Double.isInfinite(factor) ? 0 : Math.round(Math.max(0, recordedOffsetMillis) / factor);
    }

    @Override
    public String toString() {
        return Double.isInfinite(factor) ? "max" : (factor == Math.rint(factor) ? (long) factor + "x" : factor + "x");
    }
}
