package dev.spectroscope.agent;

import java.util.concurrent.CountDownLatch;
import org.apache.avro.specific.SpecificRecord;

/**
 * An event on its way from the API to the journal: just enough captured on the training thread to build
 * the Avro record later, on the writer thread.
 */
abstract class Pending {

    static final int METRICS = 0;
    static final int CHECKPOINT = 1;
    static final int RUN_BOUNDARY = 2;

    static final Pending STOP = new Control("stop");

    /** Which to drop first when the disk budget runs out: metrics, then checkpoints, never run boundaries. */
    abstract int priority();

    abstract String eventType();

    /** The record key: the run id. */
    abstract String key();

    /** Builds the event on the writer thread. */
    abstract SpecificRecord build(SpectroscopeAgent agent, String eventId);

    /** A signal to the writer thread, not an event: never dropped, never written. */
    static class Control extends Pending {
        private final String name;

        Control(String name) {
            this.name = name;
        }

        @Override
        int priority() {
            return RUN_BOUNDARY;
        }

        @Override
        String eventType() {
            return name;
        }

        @Override
        String key() {
            return "";
        }

        @Override
        SpecificRecord build(SpectroscopeAgent agent, String eventId) {
            throw new UnsupportedOperationException(name + " is not an event");
        }
    }

    /** Marks a point in the stream; {@link SpectroscopeAgent#flush} waits for it. */
    static final class Barrier extends Control {
        final CountDownLatch latch = new CountDownLatch(1);
        volatile long sequence;

        Barrier() {
            super("barrier");
        }
    }
}
