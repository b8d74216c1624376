package dev.spectroscope.process;

import dev.spectroscope.estimate.ChainCollector;
import dev.spectroscope.event.EventDecoder;
import dev.spectroscope.events.EventSerde;
import dev.spectroscope.events.EventTypes;
import dev.spectroscope.topics.Topic;
import dev.spectroscope.topics.TopicCatalogue;
import dev.spectroscope.transition.DetectorSettings;
import dev.spectroscope.transition.RunMonitor;
import dev.spectroscope.transition.RunStateSerde;
import java.time.Duration;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.Stores;

/**
 * The processing pipeline as one topology, read top to bottom:
 *
 * <pre>
 *   runs, metrics, probes, estimates ──► decoders ──┬─► sgld-chain-collector ──► estimates
 *                    (bad bytes ► dlq)              └─► run-monitor ──► transitions, alerts
 *                                                        (invalid events ► dlq)
 * </pre>
 *
 * The collector turns a checkpoint's SGLD chains into its LlcEstimate and DosEstimate; the monitor reads
 * them back from the estimates topic, with the runs, metrics and concept probes, into the online detectors.
 * All input topics are keyed by run id with the same partition count, so one task sees all of a run.
 */
public final class PipelineTopology {

    public static final String APPLICATION = "process";

    private PipelineTopology() {
    }

    @SuppressWarnings("unchecked")
    public static Topology build(TopicCatalogue topics, Duration chainWait, DetectorSettings detectors) {
        Serializer<SpecificRecord> events = EventSerde.anyOf(EventTypes.all().toArray(Class[]::new)).serializer();
        Topology topology = new Topology();

        // Sources: raw bytes, so that a record that does not decode reaches a dead letter, not the exception handler.
        source(topology, "runs", topics.runs());
        source(topology, "metrics", topics.metrics());
        source(topology, "probes", topics.probes());
        source(topology, "estimates", topics.estimates());

        // Decoders: one per source; bad records to the dead letters, events on to the processors.
        decoder(topology, "runs", topics.runs(), List.of("run-monitor"));
        decoder(topology, "metrics", topics.metrics(), List.of("run-monitor"));
        decoder(topology, "probes", topics.probes(), List.of("sgld-chain-collector", "run-monitor"));
        decoder(topology, "estimates", topics.estimates(), List.of("run-monitor"));

        // Estimator: SGLD chains grouped per (run, step) into LlcEstimate and DosEstimate.
        topology.addProcessor("sgld-chain-collector",
                () -> new ChainCollector(APPLICATION, chainWait, "estimates-sink", "dlq-sink"), "probes-decoder");
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(ChainCollector.CHAINS_STORE),
                Serdes.String(), Serdes.ByteArray()).withCachingDisabled(), "sgld-chain-collector");
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(ChainCollector.GROUPS_STORE),
                Serdes.String(), Serdes.String()).withCachingDisabled(), "sgld-chain-collector");
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(ChainCollector.DONE_STORE),
                Serdes.String(), Serdes.Long()).withCachingDisabled(), "sgld-chain-collector");

        // Transitions: per-run detectors over loss, concept probes, λ̂ and the DOS λ.
        topology.addProcessor("run-monitor",
                () -> new RunMonitor(APPLICATION, detectors, "transitions-sink", "alerts-sink", "dlq-sink"),
                "runs-decoder", "metrics-decoder", "probes-decoder", "estimates-decoder");
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(RunMonitor.STORE),
                Serdes.String(), new RunStateSerde()).withCachingDisabled(), "run-monitor");

        // Sinks.
        topology.addSink("estimates-sink", topics.estimates().name(), Serdes.String().serializer(), events,
                "sgld-chain-collector");
        topology.addSink("transitions-sink", topics.transitions().name(), Serdes.String().serializer(), events,
                "run-monitor");
        topology.addSink("alerts-sink", topics.alerts().name(), Serdes.String().serializer(), events, "run-monitor");
        topology.addSink("dlq-sink", topics.deadLetters().name(), Serdes.String().serializer(), events,
                "runs-decoder", "metrics-decoder", "probes-decoder", "estimates-decoder", "sgld-chain-collector",
                "run-monitor");
        return topology;
    }

    private static void source(Topology topology, String name, Topic<?> topic) {
        topology.addSource(name + "-source", new ByteArrayDeserializer(), new ByteArrayDeserializer(), topic.name());
    }

    private static void decoder(Topology topology, String name, Topic<? extends SpecificRecord> topic,
                                List<String> children) {
        var codec = ((EventSerde<? extends SpecificRecord>) topic.valueSerde()).codec();
        topology.addProcessor(name + "-decoder", () -> new EventDecoder(APPLICATION, codec, "dlq-sink", children),
                name + "-source");
    }
}
