package dev.spectroscope.transition;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Finds a signal's moves between plateaus, online: the causal form of "critical points of the smoothed
 * trajectory" (SCIENCE.md §4). The signal sits at a baseline; a move opens when it leaves the baseline by
 * more than {@code max(relative·|baseline|, absolute)} (the baseline stays where the last move ended, so a
 * slow drift adds up and counts too); it closes at the next critical point, when the
 * per-checkpoint change has fallen below {@code settle} times the steepest change of the move (or after
 * {@code maxOpen} points). The move is then reported with its start placed where the signal had covered
 * {@code startFraction} of the whole move, which is where a sigmoid-shaped change is seen to begin in the
 * quantity it drives, not in its first drift.
 *
 * <p>The state is plain fields so that it can live in a state store as JSON.
 */
public final class ExcursionDetector {

    /** Settings; see the class comment. */
    public record Settings(double relative, double absolute, double settle, double startFraction, int maxOpen) {
        public Settings {
            if (relative < 0 || absolute < 0 || relative + absolute <= 0) {
                throw new IllegalArgumentException("an excursion needs a positive relative or absolute threshold, got "
                        + relative + " and " + absolute);
            }
            if (settle <= 0 || settle >= 1 || startFraction <= 0 || startFraction >= 1 || maxOpen < 2) {
                throw new IllegalArgumentException("settle and startFraction must lie in (0, 1) and maxOpen be at "
                        + "least 2, got " + settle + ", " + startFraction + ", " + maxOpen);
            }
        }
    }

    public String signal;
    public double baseline = Double.NaN;
    /** Points since the baseline was last set: steps and values (the move, when open). */
    public List<Long> steps = new ArrayList<>();
    public List<Double> values = new ArrayList<>();
    public boolean open;
    public long openedAt = -1;
    public double steepest;

    public ExcursionDetector() {
    }

    public ExcursionDetector(String signal) {
        this.signal = signal;
    }

    public Optional<SignalChange> observe(long step, double value, Settings s) {
        if (Double.isNaN(baseline)) {
            reset(step, value);
            return Optional.empty();
        }
        double previous = values.get(values.size() - 1);
        steps.add(step);
        values.add(value);
        double threshold = Math.max(s.relative() * Math.abs(baseline), s.absolute());
        if (!open) {
            if (Math.abs(value - baseline) > threshold) {
                open = true;
                openedAt = step;
                steepest = Math.abs(value - previous);
            } else {
                // Still within the threshold of the baseline: a later move is measured from here on.
                steps = new ArrayList<>(List.of(step));
                values = new ArrayList<>(List.of(value));
            }
            return Optional.empty();
        }
        double change = Math.abs(value - previous);
        steepest = Math.max(steepest, change);
        int openPoints = steps.size() - steps.indexOf(openedAt);
        if (change >= s.settle() * steepest && openPoints < s.maxOpen()) {
            return Optional.empty();
        }
        SignalChange result = close(step, value, threshold, s);
        reset(step, value);
        return Optional.of(result);
    }

    /** Reports a move still open (at the end of a run), or nothing. */
    public Optional<SignalChange> flush(Settings s) {
        if (!open) {
            return Optional.empty();
        }
        long step = steps.get(steps.size() - 1);
        double value = values.get(values.size() - 1);
        SignalChange result = close(step, value, Math.max(s.relative() * Math.abs(baseline), s.absolute()), s);
        reset(step, value);
        return Optional.of(result);
    }

    private SignalChange close(long step, double value, double threshold, Settings s) {
        double total = value - baseline;
        int start = 0;
        while (start < values.size() - 1 && Math.abs(values.get(start) - baseline) < s.startFraction() * Math.abs(total)) {
            start++;
        }
        // Confidence: how far beyond the threshold the move went, squashed into [0, 1).
        double confidence = 1 - Math.exp(-Math.abs(total) / threshold + 1);
        return new SignalChange(signal, "excursion", steps.get(start), step, step, baseline, value,
                Math.max(0, Math.min(1, confidence)));
    }

    private void reset(long step, double value) {
        baseline = value;
        steps = new ArrayList<>(List.of(step));
        values = new ArrayList<>(List.of(value));
        open = false;
        openedAt = -1;
        steepest = 0;
    }
}
