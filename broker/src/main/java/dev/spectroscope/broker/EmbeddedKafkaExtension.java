package dev.spectroscope.broker;

import dev.spectroscope.topics.TopicCatalogue;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * JUnit 5 extension: one real embedded Kafka broker per test class, on a free port, with the topic
 * catalogue created, removed with its data after the class.
 *
 * <pre>{@code
 * @RegisterExtension
 * static final EmbeddedKafkaExtension KAFKA = new EmbeddedKafkaExtension();
 * ... KAFKA.bootstrapServers() ...
 * }</pre>
 *
 * {@link #stop()} and {@link #start()} restart it on the same port and data dir, for outage tests.
 */
public final class EmbeddedKafkaExtension implements BeforeAllCallback, AfterAllCallback {

    private Path dataDir;
    private int port;
    private EmbeddedKafkaBroker broker;

    @Override
    public void beforeAll(ExtensionContext context) throws IOException {
        dataDir = Files.createTempDirectory("spectroscope-kafka-");
        broker = EmbeddedKafkaBroker.start(BrokerSettings.ephemeral(dataDir));
        port = broker.port();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        stop();
        deleteRecursively(dataDir);
    }

    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    public TopicCatalogue catalogue() {
        return broker().catalogue();
    }

    public EmbeddedKafkaBroker broker() {
        if (broker == null) {
            throw new IllegalStateException("the broker is stopped; call start() first");
        }
        return broker;
    }

    /** Stops the broker, keeping its data and port for {@link #start()}. */
    public synchronized void stop() {
        if (broker != null) {
            broker.close();
            broker = null;
        }
    }

    /** Starts the broker again on the same port and data dir. */
    public synchronized void start() {
        if (broker == null) {
            broker = EmbeddedKafkaBroker.start(BrokerSettings.ephemeral(dataDir).withPort(port));
        }
    }

    private static void deleteRecursively(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
