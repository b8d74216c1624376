package dev.spectroscope.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spectroscope.events.TrainingMetrics;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EmbeddedKafkaBrokerTest {

    @RegisterExtension
    static final EmbeddedKafkaExtension KAFKA = new EmbeddedKafkaExtension();

    @Test
    @Order(1)
    void createsTheTopicCatalogue() throws Exception {
        BrokerChecks.catalogueTopicsExist(KAFKA.bootstrapServers(), KAFKA.catalogue());
    }

    @Test
    @Order(2)
    void carriesEventsInOrderPerRunAndSupportsTransactions() {
        List<TrainingMetrics> sent = new ArrayList<>();
        sent.addAll(BrokerChecks.metricsFor("run-a", 200));
        sent.addAll(BrokerChecks.metricsFor("run-b", 200));
        BrokerChecks.produce(KAFKA.bootstrapServers(), KAFKA.catalogue(), sent.subList(0, 200), false);
        // Exactly-once applications need transactions: the single-node internal topics must allow them.
        BrokerChecks.produce(KAFKA.bootstrapServers(), KAFKA.catalogue(), sent.subList(200, 400), true);
        List<TrainingMetrics> received = BrokerChecks.consume(KAFKA.bootstrapServers(), KAFKA.catalogue(), 400);
        assertEquals(400, received.size());
        BrokerChecks.assertOrderedPerRun(received);
    }

    @Test
    @Order(3)
    void dataSurvivesARestartOnTheSameDataDir() throws Exception {
        String before = KAFKA.bootstrapServers();
        KAFKA.stop();
        KAFKA.start();
        assertEquals(before, KAFKA.bootstrapServers());
        BrokerChecks.catalogueTopicsExist(KAFKA.bootstrapServers(), KAFKA.catalogue());
        List<TrainingMetrics> received = BrokerChecks.consume(KAFKA.bootstrapServers(), KAFKA.catalogue(), 400);
        assertEquals(400, received.size());
    }

    @Test
    @Order(4)
    void aPortInUseGivesAClearError(@TempDir Path dir) throws Exception {
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
            BrokerStartException e = assertThrows(BrokerStartException.class, () -> EmbeddedKafkaBroker.start(
                    BrokerSettings.ephemeral(dir).withPort(taken.getLocalPort())));
            assertTrue(e.getMessage().contains("port " + taken.getLocalPort()), e.getMessage());
            assertTrue(e.getMessage().contains("--port"), e.getMessage());
        }
    }

    @Test
    @Order(5)
    void aSecondBrokerOnTheSameDataDirIsRefusedWithAdvice(@TempDir Path dir) throws Exception {
        try (EmbeddedKafkaBroker first = EmbeddedKafkaBroker.start(BrokerSettings.ephemeral(dir))) {
            assertTrue(Files.exists(dir.resolve("logs").resolve("meta.properties")));
            BrokerStartException e = assertThrows(BrokerStartException.class,
                    () -> EmbeddedKafkaBroker.start(BrokerSettings.ephemeral(dir)));
            assertTrue(e.getMessage().contains("--data-dir"), e.getMessage());
            BrokerChecks.catalogueTopicsExist(first.bootstrapServers(), first.catalogue());
        }
    }
}
