package dev.spectroscope.transition;

import static dev.spectroscope.event.EventNodes.DEAD_LETTER_SINK;

import dev.spectroscope.event.EventNodes;
import dev.spectroscope.topics.TopicCatalogue;
import dev.spectroscope.events.SgldChain;
import java.util.List;
import java.util.Set;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.Stores;

/**
 * The transition topology: each run's metrics, concept probes and estimates through the online detectors,
 * into phase transitions and alerts. The four input topics are keyed by run id with the same partition
 * count, so one task sees all of a run.
 *
 * <pre>
 *   runs, metrics, probes, estimates ──► decoders ──► run-monitor ──► transitions, alerts
 *             (bad bytes ► dlq)                  (invalid events ► dlq)
 * </pre>
 */
public final class TransitionTopology {

    public static final String APPLICATION = "process-transitions";

    private TransitionTopology() {
    }

    public static Topology build(TopicCatalogue topics, DetectorSettings detectors) {
        Topology topology = new Topology();
        List<String> monitor = List.of("run-monitor");
        EventNodes.decodedSource(topology, APPLICATION, "runs", topics.runs(), monitor, true);
        EventNodes.decodedSource(topology, APPLICATION, "metrics", topics.metrics(), monitor, true);
        // The estimator dead-letters the probes topic's bad records and takes its SGLD chains; this one wants
        // only the concept probes, and skips the chains without decoding them.
        EventNodes.decodedSource(topology, APPLICATION, "probes", topics.probes(), monitor, false,
                Set.of(SgldChain.class));
        EventNodes.decodedSource(topology, APPLICATION, "estimates", topics.estimates(), monitor, true);

        topology.addProcessor("run-monitor",
                () -> new RunMonitor(APPLICATION, detectors, "transitions-sink", "alerts-sink", DEAD_LETTER_SINK),
                "runs-decoder", "metrics-decoder", "probes-decoder", "estimates-decoder");
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(RunMonitor.STORE),
                Serdes.String(), new RunStateSerde()).withCachingEnabled(), "run-monitor");
        // Events whose run's RunStarted is still a fetch behind: held a few seconds (AwaitingRunStart), changelogged.
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(AwaitingRunStart.STORE),
                Serdes.String(), Serdes.ByteArray()), "run-monitor");

        topology.addSink("transitions-sink", topics.transitions().name(), Serdes.String().serializer(),
                EventNodes.events(), "run-monitor");
        topology.addSink("alerts-sink", topics.alerts().name(), Serdes.String().serializer(), EventNodes.events(),
                "run-monitor");
        topology.addSink(DEAD_LETTER_SINK, topics.deadLetters().name(), Serdes.String().serializer(),
                EventNodes.events(), "runs-decoder", "metrics-decoder", "estimates-decoder", "run-monitor");
        return topology;
    }
}
