package dev.spectroscope.examples;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The TMS run's own account of its transitions, read from checkpoint weights (SCIENCE.md §5): k(t), the
 * number of columns of W with norm above 0.5, and its changes, each counted once the new value has held
 * for 3 checkpoints so that a column hovering at the threshold is not a transition.
 */
public final class TmsGroundTruth {

    /** Checkpoints a new k must hold for to count. */
    public static final int HOLD = 3;

    private TmsGroundTruth() {
    }

    /** One checkpoint's weights. */
    public record Snapshot(long step, float[] parameters) {
        public int k() {
            return TmsExample.representedFeatures(parameters);
        }

        public Set<Integer> represented() {
            Set<Integer> out = new TreeSet<>();
            for (int f = 0; f < TmsExample.FEATURES; f++) {
                double norm = 0;
                for (int r = 0; r < TmsExample.HIDDEN; r++) {
                    double v = parameters[r * TmsExample.FEATURES + f];
                    norm += v * v;
                }
                if (Math.sqrt(norm) > 0.5) {
                    out.add(f);
                }
            }
            return out;
        }
    }

    /**
     * A change of k from one held value to the next.
     *
     * @param onsetStep   the first checkpoint at which k left the old value (on the way to the new one)
     * @param settledStep the first checkpoint of the new value's hold
     * @param gained      features represented after the change that were not before
     */
    public record Change(long onsetStep, long settledStep, int from, int to, Set<Integer> gained) {
    }

    /** @param snapshots in step order */
    public static List<Change> changes(List<Snapshot> snapshots) {
        List<Change> out = new ArrayList<>();
        if (snapshots.isEmpty()) {
            return out;
        }
        int stable = snapshots.get(0).k();
        Set<Integer> stableSet = snapshots.get(0).represented();
        int onset = -1;
        for (int i = 1; i < snapshots.size(); i++) {
            int k = snapshots.get(i).k();
            if (k == stable) {
                onset = -1;
                continue;
            }
            if (onset < 0) {
                onset = i;
            }
            if (i + HOLD - 1 < snapshots.size() && held(snapshots, i, k)) {
                Set<Integer> now = snapshots.get(i).represented();
                Set<Integer> gained = new TreeSet<>(now);
                gained.removeAll(stableSet);
                out.add(new Change(snapshots.get(onset).step(), snapshots.get(i).step(), stable, k, gained));
                stable = k;
                stableSet = now;
                onset = -1;
            }
        }
        return out;
    }

    private static boolean held(List<Snapshot> snapshots, int from, int k) {
        for (int j = from; j < from + HOLD; j++) {
            if (snapshots.get(j).k() != k) {
                return false;
            }
        }
        return true;
    }
}
