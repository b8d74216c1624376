package dev.spectroscope.dashboard;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ToDoubleFunction;

/**
 * Per-run gauges on the board's latest values: {@code spectroscope_run_llc}, {@code _llc_sd}, {@code _loss},
 * {@code _step}, {@code _dos_lambda}, {@code _dos_multiplicity}, and {@code spectroscope_run_transitions_total},
 * each tagged {@code run_id} and {@code run_name}. Registered the first time the board shows a run.
 */
public final class RunGauges {

    private final MeterRegistry registry;
    private final Map<String, RunBoard.Latest> latest = new ConcurrentHashMap<>();
    private final Set<String> registered = ConcurrentHashMap.newKeySet();

    public RunGauges(RunBoard board, MeterRegistry registry) {
        this.registry = registry;
        board.addListener(update -> refresh(board, update.runId()));
    }

    private void refresh(RunBoard board, String runId) {
        // A copy per update keeps scrapes off the board's lock.
        RunBoard.Latest l = board.latest(runId);
        if (l != null) {
            latest.put(runId, l);
            if (registered.add(runId)) {
                register(runId, l.name());
            }
        }
    }

    private void register(String runId, String name) {
        Tags tags = Tags.of("run_id", runId, "run_name", name);
        gauge("spectroscope.run.llc", "Latest λ̂ (local learning coefficient)", tags, runId, RunBoard.Latest::llc);
        gauge("spectroscope.run.llc.sd", "Standard deviation of λ̂ across chains", tags, runId, RunBoard.Latest::llcSd);
        gauge("spectroscope.run.loss", "Latest training loss", tags, runId, RunBoard.Latest::loss);
        gauge("spectroscope.run.step", "Latest training step", tags, runId, l -> l.step());
        gauge("spectroscope.run.dos.lambda", "λ from the density of states", tags, runId, RunBoard.Latest::dosLambda);
        gauge("spectroscope.run.dos.multiplicity", "m from the density of states", tags, runId,
                RunBoard.Latest::dosMultiplicity);
        FunctionCounter.builder("spectroscope.run.transitions", latest, m -> {
                    RunBoard.Latest l = m.get(runId);
                    return l == null ? 0 : l.transitions();
                }).tags(tags).description("Phase transitions detected in the run").register(registry);
    }

    private void gauge(String name, String help, Tags tags, String runId, ToDoubleFunction<RunBoard.Latest> value) {
        Gauge.builder(name, latest, m -> {
            RunBoard.Latest l = m.get(runId);
            return l == null ? Double.NaN : value.applyAsDouble(l);
        }).tags(tags).description(help).register(registry);
    }
}
