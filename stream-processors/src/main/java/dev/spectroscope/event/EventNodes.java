package dev.spectroscope.event;

import dev.spectroscope.events.EventSerde;
import dev.spectroscope.events.EventTypes;
import dev.spectroscope.topics.Topic;
import java.util.List;
import java.util.Set;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.Topology;

/** The nodes every topology starts and ends with: raw sources, their decoders, event sinks. */
public final class EventNodes {

    /** The sink that takes dead letters, in every topology. */
    public static final String DEAD_LETTER_SINK = "dlq-sink";

    private EventNodes() {
    }

    /** Writes any Spectroscope event in single-object encoding. */
    @SuppressWarnings("unchecked")
    public static Serializer<SpecificRecord> events() {
        return EventSerde.anyOf(EventTypes.all().toArray(Class[]::new)).serializer();
    }

    /**
     * A source of raw bytes ({@code <name>-source}) and its decoder ({@code <name>-decoder}), so that a record
     * that does not decode becomes a dead letter rather than a deserialization exception.
     *
     * @param deadLetters false where another application already dead-letters this topic's bad records
     */
    public static void decodedSource(Topology topology, String application, String name,
                                     Topic<? extends SpecificRecord> topic, List<String> children,
                                     boolean deadLetters) {
        decodedSource(topology, application, name, topic, children, deadLetters, Set.of());
    }

    /** @param skipped event types of the topic that no child wants: dropped by their header, never decoded */
    public static void decodedSource(Topology topology, String application, String name,
                                     Topic<? extends SpecificRecord> topic, List<String> children,
                                     boolean deadLetters, Set<Class<? extends SpecificRecord>> skipped) {
        topology.addSource(name + "-source", new ByteArrayDeserializer(), new ByteArrayDeserializer(), topic.name());
        var codec = ((EventSerde<? extends SpecificRecord>) topic.valueSerde()).codec();
        topology.addProcessor(name + "-decoder",
                () -> new EventDecoder(application, codec, deadLetters ? DEAD_LETTER_SINK : null, children, skipped),
                name + "-source");
    }
}
