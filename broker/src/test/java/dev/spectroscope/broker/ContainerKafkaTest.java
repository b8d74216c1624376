package dev.spectroscope.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.spectroscope.events.TrainingMetrics;
import dev.spectroscope.topics.TopicCatalogue;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.Test;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.kafka.KafkaContainer;

/**
 * The same checks as {@link EmbeddedKafkaBrokerTest} against the apache/kafka image. Runs where a Docker
 * engine runs and is skipped, not failed, where none does.
 */
@Testcontainers(disabledWithoutDocker = true)
class ContainerKafkaTest {

    @Container
    static final KafkaContainer KAFKA = new KafkaContainer("apache/kafka:4.1.0");

    @Test
    void theCatalogueAndTheSerdesWorkOnTheOfficialImage() throws Exception {
        TopicCatalogue catalogue = new TopicCatalogue();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                KAFKA.getBootstrapServers()))) {
            TopicCreator.ensure(admin, catalogue, (short) 1);
            // Idempotent: a second run creates nothing.
            assertEquals(List.of(), TopicCreator.ensure(admin, catalogue, (short) 1).created());
        }
        BrokerChecks.catalogueTopicsExist(KAFKA.getBootstrapServers(), catalogue);
        List<TrainingMetrics> sent = BrokerChecks.metricsFor("run-c", 100);
        BrokerChecks.produce(KAFKA.getBootstrapServers(), catalogue, sent, true);
        List<TrainingMetrics> received = BrokerChecks.consume(KAFKA.getBootstrapServers(), catalogue, 100);
        assertEquals(sent, received);
    }
}
