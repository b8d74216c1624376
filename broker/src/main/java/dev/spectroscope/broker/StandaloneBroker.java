package dev.spectroscope.broker;

import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * The embedded broker as a process of its own, for tests that must not share a JVM (and its garbage
 * collections) with the broker: {@code java -cp ... dev.spectroscope.broker.StandaloneBroker PORT DATA_DIR}.
 * Prints {@code ready <bootstrap>} once it serves clients and stops cleanly on SIGTERM.
 * Users run {@code spectroscope broker} instead.
 */
public final class StandaloneBroker {

    private StandaloneBroker() {
    }

    public static void main(String[] args) throws InterruptedException {
        if (args.length != 2) {
            System.err.println("usage: StandaloneBroker PORT DATA_DIR");
            System.exit(2);
        }
        EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(
                BrokerSettings.ephemeral(Path.of(args[1])).withPort(Integer.parseInt(args[0])));
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            broker.close();
            stopped.countDown();
        }));
        System.out.println("ready " + broker.bootstrapServers());
        System.out.flush();
        stopped.await();
    }
}
