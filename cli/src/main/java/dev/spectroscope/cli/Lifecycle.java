package dev.spectroscope.cli;

import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Clean shutdown on Ctrl-C or SIGTERM: resources registered here are closed in reverse order by one
 * shutdown hook, and {@link #awaitShutdown()} returns once that has begun.
 */
final class Lifecycle {

    private static final Logger LOG = LoggerFactory.getLogger(Lifecycle.class);
    private static final CountDownLatch SHUTDOWN = new CountDownLatch(1);
    private static final java.util.Deque<Named> RESOURCES = new java.util.ArrayDeque<>();

    private record Named(String name, AutoCloseable resource) {
    }

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(Lifecycle::closeAll, "spectroscope-shutdown"));
    }

    private Lifecycle() {
    }

    static synchronized void closeOnShutdown(String name, AutoCloseable resource) {
        RESOURCES.push(new Named(name, resource));
    }

    /** Blocks until the JVM is asked to stop. */
    static void awaitShutdown() throws InterruptedException {
        SHUTDOWN.await();
    }

    /** Closes everything registered so far, newest first; safe to call more than once. */
    static void closeAll() {
        SHUTDOWN.countDown();
        while (true) {
            Named next;
            synchronized (Lifecycle.class) {
                next = RESOURCES.poll();
            }
            if (next == null) {
                return;
            }
            try {
                next.resource().close();
            } catch (Exception e) {
                LOG.warn("Closing {} failed: {}", next.name(), e.getMessage());
            }
        }
    }
}
