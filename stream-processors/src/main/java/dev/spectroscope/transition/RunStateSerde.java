package dev.spectroscope.transition;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.smile.databind.SmileMapper;
import java.io.IOException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * {@link RunState} in Smile, Jackson's binary JSON: the same field names as JSON (so fields can be added
 * later and old states still read), with doubles as 8 raw bytes. Plain JSON spent most of the processor's
 * time formatting and parsing the states' numbers (see docs/benchmarks/estimator.md).
 */
public final class RunStateSerde implements Serde<RunState> {

    static final ObjectMapper MAPPER = SmileMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    @Override
    public Serializer<RunState> serializer() {
        return (topic, state) -> {
            try {
                return state == null ? null : MAPPER.writeValueAsBytes(state);
            } catch (IOException e) {
                throw new SerializationException("cannot write the state of run " + state.runId + ": " + e.getMessage(), e);
            }
        };
    }

    @Override
    public Deserializer<RunState> deserializer() {
        return (topic, bytes) -> {
            try {
                return bytes == null ? null : MAPPER.readValue(bytes, RunState.class);
            } catch (IOException e) {
                throw new SerializationException("cannot read a run state from " + topic + ": " + e.getMessage(), e);
            }
        };
    }
}
