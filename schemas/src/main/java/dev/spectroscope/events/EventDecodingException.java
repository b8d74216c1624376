package dev.spectroscope.events;

import org.apache.kafka.common.errors.SerializationException;

/**
 * The one exception every Spectroscope deserializer throws for bytes it cannot turn into the event it
 * was asked for. It says where (topic), what was expected, what was found, and what to do, so that an
 * operator reading a dead letter or a log line needs nothing else.
 */
public final class EventDecodingException extends SerializationException {

    /** What kind of trouble the bytes were in; a stable category for dead letters and metrics. */
    public enum Problem {
        /** Not Avro single-object encoding at all, truncated, or a body that does not match its schema. */
        CORRUPT_BYTES("corrupt-bytes"),
        /** A well-formed header whose schema fingerprint matches no schema version this build knows. */
        UNKNOWN_SCHEMA("unknown-schema"),
        /** A readable event, but of a type the topic does not carry. */
        WRONG_EVENT_TYPE("wrong-event-type");

        private final String code;

        Problem(String code) {
            this.code = code;
        }

        /** Short machine-readable name, as used in {@code DeadLetter.errorType}. */
        public String code() {
            return code;
        }
    }

    private static final long serialVersionUID = 1L;

    private final Problem problem;
    private final String topic;
    private final String expected;
    private final String found;

    public EventDecodingException(Problem problem, String topic, String expected, String found, String advice,
                                  Throwable cause) {
        super(message(problem, topic, expected, found, advice), cause);
        this.problem = problem;
        this.topic = topic;
        this.expected = expected;
        this.found = found;
    }

    private static String message(Problem problem, String topic, String expected, String found, String advice) {
        return "Cannot read a record of topic '" + topic + "' as " + expected + ": " + found
                + " [" + problem.code() + "]" + (advice == null || advice.isEmpty() ? "" : ". " + advice);
    }

    public Problem problem() {
        return problem;
    }

    public String topic() {
        return topic;
    }

    public String expected() {
        return expected;
    }

    public String found() {
        return found;
    }
}
