package dev.spectroscope.estimate;

import static dev.spectroscope.event.EventNodes.DEAD_LETTER_SINK;

import dev.spectroscope.event.EventNodes;
import dev.spectroscope.events.ConceptProbe;
import dev.spectroscope.events.EventSerde;
import dev.spectroscope.events.SgldChain;
import dev.spectroscope.topics.Topic;
import dev.spectroscope.topics.TopicCatalogue;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.Stores;

/**
 * The estimator: SGLD chains, from the probe worker or sampled in-job by the agent, grouped per (run, step)
 * into the step's LlcEstimate and DosEstimate.
 *
 * <pre>
 *   chains ──► chains-decoder ──┐
 *   probes ──► probes-decoder ──┴► sgld-chain-collector ──► estimates
 *              (bad bytes ► dlq)   (invalid or late chains ► dlq)
 * </pre>
 *
 * <p>Chains have their own topic; the probes topic is read too because earlier builds of the agent and the probe
 * worker wrote chains there (a rolling upgrade, or a journal synced late, may still bring some), and because this
 * application is the one that dead-letters that topic's unreadable records. Its concept probes are skipped.
 */
public final class EstimatorTopology {

    public static final String APPLICATION = "process-estimator";

    private EstimatorTopology() {
    }

    public static Topology build(TopicCatalogue topics, Duration chainWait) {
        Topology topology = new Topology();
        EventNodes.decodedSource(topology, APPLICATION, "chains", topics.chains(), List.of("sgld-chain-collector"),
                true);
        EventNodes.decodedSource(topology, APPLICATION, "probes", legacyProbes(topics), List.of("sgld-chain-collector"),
                true, Set.of(ConceptProbe.class));

        topology.addProcessor("sgld-chain-collector",
                () -> new ChainCollector(APPLICATION, chainWait, "estimates-sink", DEAD_LETTER_SINK), "chains-decoder",
                "probes-decoder");
        // Chains wait here only until their step is complete: in memory, changelogged for recovery. Cached:
        // a step's chains usually arrive together (one worker transaction) and are deleted when the step is
        // estimated, so within a commit interval their put and delete cancel and never reach the changelog;
        // what is still pending at a commit is flushed to it before the commit, as exactly-once requires.
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(ChainCollector.CHAINS_STORE),
                Serdes.String(), Serdes.ByteArray()).withCachingEnabled(), "sgld-chain-collector");
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(ChainCollector.GROUPS_STORE),
                Serdes.String(), Serdes.String()).withCachingEnabled(), "sgld-chain-collector");
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(ChainCollector.DONE_STORE),
                Serdes.String(), Serdes.Long()).withCachingEnabled(), "sgld-chain-collector");

        topology.addSink("estimates-sink", topics.estimates().name(), Serdes.String().serializer(), EventNodes.events(),
                "sgld-chain-collector");
        topology.addSink(DEAD_LETTER_SINK, topics.deadLetters().name(), Serdes.String().serializer(),
                EventNodes.events(), "chains-decoder", "probes-decoder", "sgld-chain-collector");
        return topology;
    }

    /** The probes topic as earlier builds wrote it: concept probes and SGLD chains. */
    private static Topic<SpecificRecord> legacyProbes(TopicCatalogue topics) {
        Topic<ConceptProbe> probes = topics.probes();
        return new Topic<>(probes.name(), probes.keySerde(), EventSerde.anyOf(ConceptProbe.class, SgldChain.class),
                Set.of(ConceptProbe.class, SgldChain.class), probes.partitions(), probes.cleanupPolicy(),
                probes.retentionMs());
    }
}
