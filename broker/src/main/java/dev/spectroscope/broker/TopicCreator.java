package dev.spectroscope.broker;

import dev.spectroscope.topics.Topic;
import dev.spectroscope.topics.TopicCatalogue;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the catalogue's topics on any cluster, idempotently: a topic that exists is left as it is
 * (a warning if it has fewer partitions than the catalogue asks for), a missing one is created.
 */
public final class TopicCreator {

    private static final Logger LOG = LoggerFactory.getLogger(TopicCreator.class);

    private TopicCreator() {
    }

    /** What {@link #ensure} did. */
    public record Result(List<String> created, List<String> existing) {
    }

    /**
     * Creates what is missing with the cluster's default replication factor: what the apps do at start,
     * so that they run against an empty cluster.
     */
    public static Result ensure(String bootstrapServers, TopicCatalogue catalogue, Map<String, String> kafka)
            throws InterruptedException, ExecutionException, TimeoutException {
        Map<String, Object> config = new java.util.HashMap<>(kafka);
        config.put("bootstrap.servers", bootstrapServers);
        try (Admin admin = Admin.create(config)) {
            return ensure(admin, catalogue, (short) -1);
        }
    }

    /** @param replicationFactor replicas per partition, or −1 for the cluster's default */
    public static Result ensure(Admin admin, TopicCatalogue catalogue, short replicationFactor)
            throws InterruptedException, ExecutionException, TimeoutException {
        Set<String> present = admin.listTopics().names().get(30, TimeUnit.SECONDS);
        List<NewTopic> missing = new ArrayList<>();
        List<String> existing = new ArrayList<>();
        for (Topic<? extends SpecificRecord> topic : catalogue.all()) {
            if (present.contains(topic.name())) {
                existing.add(topic.name());
            } else {
                NewTopic t = replicationFactor > 0
                        ? new NewTopic(topic.name(), topic.partitions(), replicationFactor)
                        : new NewTopic(topic.name(), java.util.Optional.of(topic.partitions()), java.util.Optional.empty());
                missing.add(t.configs(topic.configs()));
            }
        }
        List<String> created = new ArrayList<>();
        for (Map.Entry<String, org.apache.kafka.common.KafkaFuture<Void>> e
                : admin.createTopics(missing).values().entrySet()) {
            try {
                e.getValue().get(30, TimeUnit.SECONDS);
                created.add(e.getKey());
            } catch (ExecutionException ex) {
                if (!(ex.getCause() instanceof TopicExistsException)) {
                    throw ex;
                }
                existing.add(e.getKey()); // another process created it meanwhile
            }
        }
        warnAboutFewerPartitions(admin, catalogue, existing);
        return new Result(List.copyOf(created), List.copyOf(existing));
    }

    private static void warnAboutFewerPartitions(Admin admin, TopicCatalogue catalogue, List<String> existing)
            throws InterruptedException, ExecutionException, TimeoutException {
        if (existing.isEmpty()) {
            return;
        }
        Map<String, TopicDescription> descriptions = admin.describeTopics(existing).allTopicNames()
                .get(30, TimeUnit.SECONDS);
        for (TopicDescription d : descriptions.values()) {
            int wanted = catalogue.byName(d.name()).map(Topic::partitions).orElse(0);
            if (d.partitions().size() < wanted) {
                LOG.warn("Topic {} has {} partitions, the catalogue asks for {}; consumers beyond {} will idle "
                        + "(raise it with kafka-topics --alter --partitions)", d.name(), d.partitions().size(),
                        wanted, d.partitions().size());
            }
        }
    }
}
