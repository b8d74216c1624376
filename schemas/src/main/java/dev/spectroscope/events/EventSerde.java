package dev.spectroscope.events;

import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Kafka Serde for Spectroscope events in Avro single-object encoding; no schema-registry server needed.
 * Deserialization errors are {@link EventDecodingException}s that name the topic.
 */
public final class EventSerde<T extends SpecificRecord> implements Serde<T> {

    private final EventCodec<T> codec;

    public EventSerde(EventCodec<T> codec) {
        this.codec = codec;
    }

    public static <T extends SpecificRecord> EventSerde<T> of(Class<T> type) {
        return new EventSerde<>(EventCodec.of(type));
    }

    @SafeVarargs
    public static EventSerde<SpecificRecord> anyOf(Class<? extends SpecificRecord>... types) {
        return new EventSerde<>(EventCodec.anyOf(types));
    }

    public EventCodec<T> codec() {
        return codec;
    }

    @Override
    public Serializer<T> serializer() {
        return (topic, event) -> event == null ? null : codec.encode(event);
    }

    @Override
    public Deserializer<T> deserializer() {
        return codec::decode;
    }
}
