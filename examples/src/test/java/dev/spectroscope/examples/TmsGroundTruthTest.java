package dev.spectroscope.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TmsGroundTruthTest {

    /** Weights whose columns in {@code on} have norm 0.8 and the others 0.1. */
    private static TmsGroundTruth.Snapshot snapshot(long step, Set<Integer> on) {
        float[] p = new float[TmsExample.HIDDEN * TmsExample.FEATURES + TmsExample.FEATURES];
        for (int f = 0; f < TmsExample.FEATURES; f++) {
            p[f] = on.contains(f) ? 0.8f : 0.1f; // row 0 of W
        }
        return new TmsGroundTruth.Snapshot(step, p);
    }

    @Test
    void aChangeCountsOnceItHoldsAndFlickerIsIgnored() {
        List<TmsGroundTruth.Snapshot> s = new ArrayList<>();
        long step = 0;
        for (Set<Integer> on : List.of(Set.<Integer>of(), Set.<Integer>of(), Set.of(1), Set.of(1, 2), Set.of(1, 2, 4),
                Set.of(1, 2, 4), Set.of(1, 2, 4), Set.of(1, 2, 4), Set.of(1, 2, 4, 5), Set.of(1, 2, 4),
                Set.of(1, 2, 4), Set.of(1, 2, 4, 5), Set.of(1, 2, 4, 5), Set.of(1, 2, 4, 5), Set.of(0, 1, 2, 4, 5))) {
            s.add(snapshot(step, on));
            step += 100;
        }
        List<TmsGroundTruth.Change> changes = TmsGroundTruth.changes(s);
        assertEquals(2, changes.size(), changes.toString());
        assertEquals(new TmsGroundTruth.Change(200, 400, 0, 3, Set.of(1, 2, 4)), changes.get(0));
        // The flicker at 800 returned to 3 before holding; the change starts at 1100. The last value has not held.
        assertEquals(new TmsGroundTruth.Change(1100, 1100, 3, 4, Set.of(5)), changes.get(1));
    }
}
