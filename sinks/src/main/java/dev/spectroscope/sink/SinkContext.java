package dev.spectroscope.sink;

import java.time.Duration;

/** What a sink may ask of the loop that feeds it. */
public interface SinkContext {

    /** False once the app is shutting down: a sink in a retry loop should return. */
    boolean running();

    /** Waits, keeping the consumer's group membership alive (partitions paused meanwhile). */
    void waitAlive(Duration duration) throws InterruptedException;

    /** Sends the record to the dead-letter topic with a reason; the sink then moves on. */
    void deadLetter(RecordSink.SinkRecord record, String runId, String errorType, String reason);
}
