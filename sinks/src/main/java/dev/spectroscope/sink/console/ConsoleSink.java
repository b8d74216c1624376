package dev.spectroscope.sink.console;

import dev.spectroscope.events.Alert;
import dev.spectroscope.events.DosEstimate;
import dev.spectroscope.events.LlcEstimate;
import dev.spectroscope.sink.RecordSink;
import dev.spectroscope.sink.SinkContext;
import java.io.PrintStream;
import java.util.List;
import java.util.Locale;

/** One readable line per alert and, when asked, per estimate. */
public final class ConsoleSink implements RecordSink {

    private final List<String> topics;
    private final boolean estimates;
    private final PrintStream out;

    public ConsoleSink(String alertsTopic, String estimatesTopic, boolean estimates, PrintStream out) {
        this.topics = estimates ? List.of(alertsTopic, estimatesTopic) : List.of(alertsTopic);
        this.estimates = estimates;
        this.out = out;
    }

    @Override
    public String name() {
        return "console";
    }

    @Override
    public List<String> topics() {
        return topics;
    }

    @Override
    public void accept(List<SinkRecord> batch, SinkContext context) {
        for (SinkRecord r : batch) {
            String line = line(r);
            if (line != null) {
                out.println(line);
            }
        }
        out.flush();
    }

    private String line(SinkRecord r) {
        if (r.event() instanceof Alert a) {
            return format(a);
        }
        if (!estimates) {
            return null;
        }
        if (r.event() instanceof LlcEstimate e) {
            return format(e);
        }
        if (r.event() instanceof DosEstimate d) {
            return String.format(Locale.ROOT, "[dos]   %s step %d  λ=%.3f ± %.3f  m=%.2f ± %.2f%s", d.getRunId(),
                    d.getStep(), d.getLambda(), d.getLambdaStderr(), d.getMultiplicity(), d.getMultiplicityStderr(),
                    d.getLocalizationDominated() ? "  (localization dominates)" : "");
        }
        return null;
    }

    public static String format(LlcEstimate e) {
        return String.format(Locale.ROOT, "[llc]   %s step %d  λ̂=%.3f ± %.3f  (%d chains × %d draws%s)", e.getRunId(),
                e.getStep(), e.getLlcMean(), e.getLlcStd(), e.getChains(), e.getDraws(),
                e.getPartial() ? ", partial" : "");
    }

    public static String format(Alert a) {
        String status = a.getResolved() ? "RESOLVED" : a.getSeverity().name();
        return String.format(Locale.ROOT, "[alert] %-8s %s%s %s: %s", status, a.getRunId(),
                a.getStep() == null ? "" : " step " + a.getStep(), a.getKind(), a.getTitle());
    }
}
