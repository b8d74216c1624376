package dev.spectroscope.dashboard;

import dev.spectroscope.events.Alert;
import dev.spectroscope.events.ConceptProbe;
import dev.spectroscope.events.DosEstimate;
import dev.spectroscope.events.LlcEstimate;
import dev.spectroscope.events.PhaseTransition;
import dev.spectroscope.events.RunEnded;
import dev.spectroscope.events.RunStarted;
import dev.spectroscope.events.TrainingMetrics;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.apache.avro.specific.SpecificRecord;

/**
 * Every run's picture as the dashboard and the gauges show it: status, the latest values, and the chart
 * series (loss, λ̂ ± sd, DOS λ and m, one line per concept probe), the transitions and the alerts. Fed by one
 * thread; read by the HTTP threads; each change is also passed to the listeners as a small update.
 */
public final class RunBoard {

    private static final int MAX_ALERTS = 200;

    private final int maxPoints;
    private final Map<String, Run> runs = new LinkedHashMap<>();
    private final List<Consumer<Update>> listeners = new CopyOnWriteArrayList<>();

    /** A change: {@code kind} is run, point, transition or alert; {@code data} is what the page needs. */
    public record Update(String kind, String runId, Map<String, Object> data) {
    }

    /** One run's state. Fields are guarded by the board's lock. */
    public static final class Run {
        final String runId;
        String name;
        String model = "";
        String status = "RUNNING";
        long startedAt;
        long latestStep = -1;
        double loss = Double.NaN;
        double llc = Double.NaN;
        double llcSd = Double.NaN;
        double dosLambda = Double.NaN;
        double dosMultiplicity = Double.NaN;
        int transitionCount;
        final Series lossSeries;
        final Series llcSeries;
        final Series dosSeries;
        final Map<String, Series> concepts = new TreeMap<>();
        final List<Map<String, Object>> transitions = new ArrayList<>();
        final Deque<Map<String, Object>> alerts = new ArrayDeque<>();

        Run(String runId, int maxPoints) {
            this.runId = runId;
            this.name = runId;
            this.lossSeries = new Series(maxPoints);
            this.llcSeries = new Series(maxPoints);
            this.dosSeries = new Series(maxPoints);
        }
    }

    public RunBoard(int maxPoints) {
        this.maxPoints = maxPoints;
    }

    public void addListener(Consumer<Update> listener) {
        listeners.add(listener);
    }

    public void removeListener(Consumer<Update> listener) {
        listeners.remove(listener);
    }

    /** Applies one event; events of types the board does not chart are ignored. */
    public void apply(SpecificRecord event) {
        List<Update> updates = new ArrayList<>(2);
        synchronized (this) {
            applyLocked(event, updates);
        }
        for (Update u : updates) {
            for (Consumer<Update> l : listeners) {
                l.accept(u);
            }
        }
    }

    private void applyLocked(SpecificRecord event, List<Update> out) {
        if (event instanceof RunStarted s) {
            Run r = run(s.getRunId(), out);
            r.name = s.getName();
            r.model = s.getModelFamily();
            r.startedAt = s.getTimestamp().toEpochMilli();
            out.add(new Update("run", r.runId, summary(r)));
        } else if (event instanceof RunEnded e) {
            Run r = run(e.getRunId(), out);
            r.status = e.getStatus().name();
            out.add(new Update("run", r.runId, summary(r)));
        } else if (event instanceof TrainingMetrics m) {
            Run r = run(m.getRunId(), out);
            r.latestStep = Math.max(r.latestStep, m.getStep());
            r.loss = m.getLoss();
            point(r, "loss", r.lossSeries, new double[]{m.getStep(), m.getLoss()}, out);
        } else if (event instanceof LlcEstimate e) {
            Run r = run(e.getRunId(), out);
            r.llc = e.getLlcMean();
            r.llcSd = e.getLlcStd();
            point(r, "llc", r.llcSeries, new double[]{e.getStep(), e.getLlcMean(), e.getLlcStd()}, out);
        } else if (event instanceof DosEstimate d) {
            Run r = run(d.getRunId(), out);
            r.dosLambda = d.getLambda();
            r.dosMultiplicity = d.getMultiplicity();
            point(r, "dos", r.dosSeries, new double[]{d.getStep(), d.getLambda(), d.getLambdaStderr(),
                    d.getMultiplicity(), d.getMultiplicityStderr()}, out);
        } else if (event instanceof ConceptProbe c) {
            Run r = run(c.getRunId(), out);
            Series s = r.concepts.computeIfAbsent(c.getProbe(), k -> new Series(maxPoints));
            point(r, "concept:" + c.getProbe(), s, new double[]{c.getStep(), c.getScore()}, out);
        } else if (event instanceof PhaseTransition t) {
            Run r = run(t.getRunId(), out);
            Map<String, Object> m = transition(t);
            r.transitions.removeIf(x -> x.get("transitionId").equals(t.getTransitionId()));
            r.transitions.add(m);
            r.transitionCount = r.transitions.size();
            out.add(new Update("transition", r.runId, m));
        } else if (event instanceof Alert a) {
            Run r = run(a.getRunId(), out);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("time", a.getTimestamp().toEpochMilli());
            m.put("step", a.getStep());
            m.put("severity", a.getSeverity().name());
            m.put("kind", a.getKind());
            m.put("title", a.getTitle());
            m.put("text", a.getText());
            m.put("resolved", a.getResolved());
            r.alerts.addFirst(m);
            while (r.alerts.size() > MAX_ALERTS) {
                r.alerts.removeLast();
            }
            out.add(new Update("alert", r.runId, m));
        }
    }

    private Run run(String runId, List<Update> out) {
        Run r = runs.get(runId);
        if (r == null) {
            r = new Run(runId, maxPoints);
            runs.put(runId, r);
            out.add(new Update("run", runId, summary(r)));
        }
        return r;
    }

    private static void point(Run r, String series, Series s, double[] p, List<Update> out) {
        if (s.add(p)) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("series", series);
            m.put("point", p);
            m.put("latestStep", r.latestStep);
            out.add(new Update("point", r.runId, m));
        }
    }

    private static Map<String, Object> transition(PhaseTransition t) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("transitionId", t.getTransitionId());
        m.put("signal", t.getSignal());
        m.put("detector", t.getDetector());
        m.put("startStep", t.getStartStep());
        m.put("endStep", t.getEndStep());
        m.put("detectedAtStep", t.getDetectedAtStep());
        m.put("levelBefore", finite(t.getLevelBefore()));
        m.put("levelAfter", finite(t.getLevelAfter()));
        m.put("confidence", finite(t.getConfidence()));
        List<String> concepts = new ArrayList<>();
        t.getTopConcepts().forEach(c -> concepts.add(c.getProbe()));
        m.put("topConcepts", concepts);
        return m;
    }

    /** The run list, newest first. */
    public synchronized List<Map<String, Object>> runs() {
        return runs.values().stream().sorted(Comparator.comparingLong((Run r) -> r.startedAt).reversed())
                .map(RunBoard::summary).toList();
    }

    /** A run with all its series ({@code series.loss}: [step, loss]; {@code series.llc}: [step, mean, sd];
     * {@code series.dos}: [step, λ, λ stderr, m, m stderr]; {@code series.concepts.<probe>}: [step, score]), or null. */
    public synchronized Map<String, Object> detail(String runId) {
        Run r = runs.get(runId);
        if (r == null) {
            return null;
        }
        Map<String, Object> m = summary(r);
        Map<String, Object> series = new LinkedHashMap<>();
        series.put("loss", r.lossSeries.points());
        series.put("llc", r.llcSeries.points());
        series.put("dos", r.dosSeries.points());
        Map<String, Object> concepts = new TreeMap<>();
        r.concepts.forEach((k, v) -> concepts.put(k, v.points()));
        series.put("concepts", concepts);
        m.put("series", series);
        m.put("transitions", List.copyOf(r.transitions));
        m.put("alerts", List.copyOf(r.alerts));
        return m;
    }

    /** Latest values of one run, or null. */
    public synchronized Latest latest(String runId) {
        Run r = runs.get(runId);
        return r == null ? null : new Latest(r.runId, r.name, r.latestStep, r.loss, r.llc, r.llcSd, r.dosLambda,
                r.dosMultiplicity, r.transitionCount);
    }

    public record Latest(String runId, String name, long step, double loss, double llc, double llcSd,
                         double dosLambda, double dosMultiplicity, int transitions) {
    }

    private static Map<String, Object> summary(Run r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("runId", r.runId);
        m.put("name", r.name);
        m.put("model", r.model);
        m.put("status", r.status);
        m.put("startedAt", r.startedAt);
        m.put("latestStep", r.latestStep);
        m.put("loss", finite(r.loss));
        m.put("llc", finite(r.llc));
        m.put("llcSd", finite(r.llcSd));
        m.put("dosLambda", finite(r.dosLambda));
        m.put("dosMultiplicity", finite(r.dosMultiplicity));
        m.put("transitionCount", r.transitionCount);
        return m;
    }

    private static Object finite(double v) {
        return Double.isFinite(v) ? v : null;
    }
}
