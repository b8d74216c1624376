package dev.spectroscope.agent.metrics;

import dev.spectroscope.agent.AgentStats;
import dev.spectroscope.agent.SpectroscopeAgent;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.List;

/**
 * The agent's counters in the job's own Micrometer registry (Micrometer is optional: the agent's core does
 * not need it): {@code spectroscope.agent.events{stage=accepted|journaled|sent}}, the backlog waiting for
 * Kafka, {@code spectroscope.agent.dropped{type}} and {@code spectroscope.agent.errors{kind}}.
 *
 * <pre>{@code
 * new AgentMetrics(agent).bindTo(registry);
 * }</pre>
 */
public final class AgentMetrics implements MeterBinder {

    /** Error kinds the agent counts; {@code encode} sums the per-type encoding errors. */
    static final List<String> ERROR_KINDS = List.of("metrics", "concept", "checkpoint", "journal-writer",
            "leftover-journal", "encode");
    static final List<String> EVENT_TYPES = List.of("RunStarted", "RunEnded", "TrainingMetrics", "Checkpoint",
            "ConceptProbe", "SgldChain");

    private final AgentStats stats;

    public AgentMetrics(SpectroscopeAgent agent) {
        this.stats = agent.stats();
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        counter(registry, "accepted", AgentStats::acceptedCount);
        counter(registry, "journaled", AgentStats::writtenCount);
        counter(registry, "sent", AgentStats::sentCount);
        Gauge.builder("spectroscope.agent.backlog", stats, s -> Math.max(0, s.writtenCount() - s.sentCount()))
                .description("Events journaled but not yet acknowledged by Kafka").register(registry);
        for (String type : EVENT_TYPES) {
            FunctionCounter.builder("spectroscope.agent.dropped", stats, s -> s.droppedCount(type)).tag("type", type)
                    .description("Events dropped because the disk budget was exhausted").register(registry);
        }
        for (String kind : ERROR_KINDS) {
            String key = kind.equals("encode") ? "encode-*" : kind;
            FunctionCounter.builder("spectroscope.agent.errors", stats, s -> s.errorCount(key)).tag("kind", kind)
                    .description("Errors the agent kept from the training loop").register(registry);
        }
    }

    private void counter(MeterRegistry registry, String stage, java.util.function.ToDoubleFunction<AgentStats> f) {
        FunctionCounter.builder("spectroscope.agent.events", stats, f).tag("stage", stage)
                .description("Events by how far they got").register(registry);
    }
}
