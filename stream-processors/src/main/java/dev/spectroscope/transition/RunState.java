package dev.spectroscope.transition;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the transition topology remembers about one run (state store {@code run-states}, as JSON). Histories
 * are bounded, so a long run's state stays small. Also what {@code GET /runs/{id}} shows.
 */
public final class RunState {

    // Enough for the detectors and the concept windows around a transition; a state write stays a few KB.
    static final int HISTORY = 64;

    public String runId;
    public String name = "";
    public String modelFamily = "";
    public long n;
    public long startedMillis;
    public Map<String, String> tags = new HashMap<>();
    public boolean ended;
    /** Wall-clock time the RunEnded was seen while moves still open wait to be reported; 0 when none wait. */
    public long endFlushDueWallMillis;
    public String status = "RUNNING";
    public long lastSeenWallMillis;
    public String detectorProblem;

    public long lastMetricsStep = -1;
    public long latestStep = -1;
    public double latestLoss = Double.NaN;

    /** The loss signal: block means of the training loss. */
    public long blockIndex = -1;
    public double blockSum;
    public int blockCount;
    public long blockLastStep = -1;
    public List<double[]> lossHistory = new ArrayList<>();

    public Map<String, Long> lastConceptStep = new HashMap<>();
    public Map<String, Boolean> conceptHigherIsBetter = new HashMap<>();
    public Map<String, List<double[]>> conceptHistory = new LinkedHashMap<>();

    public long lastLlcStep = -1;
    public double llcMean = Double.NaN;
    public double llcStd = Double.NaN;
    public List<double[]> llcHistory = new ArrayList<>();

    public long lastDosStep = -1;
    public double dosLambda = Double.NaN;
    public double dosLambdaStderr = Double.NaN;
    public double dosMultiplicity = Double.NaN;
    public double dosMultiplicityStderr = Double.NaN;

    /** Steps that had a checkpoint (seen through concept probes and estimates): the detectors' clock. */
    public List<Long> checkpointSteps = new ArrayList<>();

    public Map<String, ExcursionDetector> excursions = new HashMap<>();
    public Map<String, BocpdDetector> bocpds = new HashMap<>();

    public List<Transition> transitions = new ArrayList<>();
    /** Dedup keys of the health alerts now firing (resolved ones are removed). */
    public Set<String> firing = new LinkedHashSet<>();

    /** A transition as the run's state keeps it; {@code signals} lists every signal merged into it. */
    public static final class Transition {
        public String transitionId;
        public String signal;
        public String detector;
        public long startStep;
        public long endStep;
        public long detectedAtStep;
        public double levelBefore;
        public double levelAfter;
        public double confidence;
        public List<String> signals = new ArrayList<>();
        public List<String> topConcepts = new ArrayList<>();
    }

    public RunState() {
    }

    RunState(String runId) {
        this.runId = runId;
    }

    void noteCheckpoint(long step) {
        if (checkpointSteps.isEmpty() || checkpointSteps.get(checkpointSteps.size() - 1) < step) {
            checkpointSteps.add(step);
            trim(checkpointSteps, 64);
        } else if (!checkpointSteps.contains(step)) {
            checkpointSteps.add(step);
            checkpointSteps.sort(Long::compare);
            trim(checkpointSteps, 64);
        }
    }

    /** The typical distance between checkpoints (median), or the fallback before two are seen. */
    long checkpointInterval(long fallback) {
        if (checkpointSteps.size() < 2) {
            return fallback;
        }
        List<Long> gaps = new ArrayList<>();
        for (int i = 1; i < checkpointSteps.size(); i++) {
            gaps.add(checkpointSteps.get(i) - checkpointSteps.get(i - 1));
        }
        gaps.sort(Long::compare);
        return gaps.get(gaps.size() / 2);
    }

    static void append(List<double[]> history, double step, double value) {
        history.add(new double[] {step, value});
        trim(history, HISTORY);
    }

    /** The value recorded at the latest step not after {@code step}; the first value when all are later. */
    static double valueAt(List<double[]> history, long step) {
        double value = Double.NaN;
        for (double[] point : history) {
            if (point[0] <= step) {
                value = point[1];
            } else {
                break;
            }
        }
        return Double.isNaN(value) && !history.isEmpty() ? history.get(0)[1] : value;
    }

    private static <T> void trim(List<T> list, int max) {
        while (list.size() > max) {
            list.remove(0);
        }
    }
}
