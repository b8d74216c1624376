package dev.spectroscope.dashboard;

import java.util.ArrayList;
import java.util.List;

/**
 * Points of one chart line, bounded: when it reaches its capacity every other point is dropped and from then
 * on only every second new point is kept (then every fourth, ...), so a long run keeps its whole shape in
 * bounded memory.
 */
final class Series {

    private final int capacity;
    private final List<double[]> points = new ArrayList<>();
    private int stride = 1;
    private long offered;

    Series(int capacity) {
        this.capacity = capacity;
    }

    /** Adds a point; returns whether it was kept (and so should be sent to live viewers). */
    boolean add(double[] point) {
        if (offered++ % stride != 0) {
            return false;
        }
        if (points.size() >= capacity) {
            List<double[]> kept = new ArrayList<>(capacity / 2 + 1);
            for (int i = 0; i < points.size(); i += 2) {
                kept.add(points.get(i));
            }
            points.clear();
            points.addAll(kept);
            stride *= 2;
        }
        points.add(point);
        return true;
    }

    List<double[]> points() {
        return List.copyOf(points);
    }

    int size() {
        return points.size();
    }
}
