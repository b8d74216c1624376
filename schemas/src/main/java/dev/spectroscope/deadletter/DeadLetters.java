package dev.spectroscope.deadletter;

import dev.spectroscope.events.DeadLetter;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.UUID;

/**
 * Builds the dead letter for a record an application could not read or process. The event id derives
 * from where the record came from, so a retried or reprocessed record yields the same dead letter and
 * consumers can drop the copy.
 */
public final class DeadLetters {

    /** Stable {@code errorType} values besides the decoding problems of {@code EventDecodingException}. */
    public static final String INVALID_VALUE = "invalid-value";
    public static final String STEP_BACKWARDS = "step-backwards";
    public static final String DUPLICATE = "duplicate";
    public static final String UNKNOWN_RUN = "unknown-run";
    public static final String LATE = "late";
    public static final String MISSING_BLOB = "missing-blob";
    public static final String UNSUPPORTED_MODEL = "unsupported-model";
    public static final String PROCESSING_FAILED = "processing-failed";

    private DeadLetters() {
    }

    /**
     * @param application who gives up on the record, e.g. {@code process} or {@code probe-worker}
     * @param key         the record's raw key, or null
     * @param value       the record's raw value, or null
     * @param runId       the run, when it could be read
     */
    public static DeadLetter of(String application, String sourceTopic, int partition, long offset, byte[] key,
                                byte[] value, String runId, String errorType, String reason) {
        String origin = application + '|' + sourceTopic + '|' + partition + '|' + offset + '|' + errorType + '|'
                + (offset < 0 ? reason : "");
        return DeadLetter.newBuilder()
                .setEventId(UUID.nameUUIDFromBytes(origin.getBytes(StandardCharsets.UTF_8)).toString())
                .setTimestamp(Instant.now())
                .setRunId(runId)
                .setSourceTopic(sourceTopic)
                .setPartition(partition)
                .setOffset(offset)
                .setKey(key == null ? null : ByteBuffer.wrap(key))
                .setValue(value == null ? null : ByteBuffer.wrap(value))
                .setApplication(application)
                .setErrorType(errorType)
                .setReason(reason)
                .build();
    }

    /** A run-id key as the bytes it travels as. */
    public static byte[] keyBytes(String key) {
        return key == null ? null : key.getBytes(StandardCharsets.UTF_8);
    }

    /** The key as text when it is the UTF-8 run id every Spectroscope topic uses, else null. */
    public static String keyText(byte[] key) {
        return key == null ? null : new String(key, StandardCharsets.UTF_8);
    }
}
