package dev.spectroscope.cli;

import dev.spectroscope.broker.BrokerSettings;
import dev.spectroscope.broker.EmbeddedKafkaBroker;
import dev.spectroscope.events.RunEnded;
import dev.spectroscope.events.RunStarted;
import dev.spectroscope.events.RunStatus;
import dev.spectroscope.events.TrainingMetrics;
import dev.spectroscope.topics.Topic;
import dev.spectroscope.topics.TopicCatalogue;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code spectroscope demo}: everything in one process on this machine. For now it starts the embedded
 * broker with the topic catalogue and streams a short synthetic run through it to show the path works;
 * training, probing, estimates and the dashboard join it as their modules land.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Everything in one process: broker, topics, a demo run.")
final class DemoCommand implements Callable<Integer> {

    @Option(names = "--port", defaultValue = "9092", description = "Kafka client port (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--data-dir", defaultValue = "spectroscope-data/kafka",
            description = "Kafka data dir (default: ${DEFAULT-VALUE}).")
    Path dataDir;

    @Option(names = "--headless", description = "Exit when the demo run is through instead of waiting for Ctrl-C.")
    boolean headless;

    @Override
    public Integer call() throws Exception {
        EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(BrokerSettings.defaults().withPort(port)
                .withDataDir(dataDir));
        Lifecycle.closeOnShutdown("broker", broker);
        System.out.println("Kafka broker ready: bootstrap.servers=" + broker.bootstrapServers());

        String runId = "demo-" + Instant.now().toEpochMilli();
        int steps = 100;
        streamSyntheticRun(broker, runId, steps);
        int read = readBack(broker, runId, steps + 2);
        System.out.printf("Run %s: sent RunStarted, %d TrainingMetrics and RunEnded; read back %d events.%n", runId,
                steps, read);
        System.out.println("Coming next in this demo: a real DL4J training job with the agent, the probe worker's "
                + "SGLD chains, LLC estimates, phase-transition alerts and the live dashboard.");
        if (read != steps + 2) {
            System.err.println("demo: expected " + (steps + 2) + " events back, got " + read);
            return 1;
        }
        if (headless) {
            return 0;
        }
        System.out.println("Broker stays up for other clients. Press Ctrl-C to stop.");
        Lifecycle.awaitShutdown();
        return 0;
    }

    private static void streamSyntheticRun(EmbeddedKafkaBroker broker, String runId, int steps) {
        TopicCatalogue topics = broker.catalogue();
        Map<String, Object> props = new HashMap<>();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(props,
                new org.apache.kafka.common.serialization.StringSerializer(),
                new org.apache.kafka.common.serialization.ByteArraySerializer())) {
            Instant start = Instant.now();
            send(producer, topics.runs(), runId, RunStarted.newBuilder().setEventId(UUID.randomUUID().toString())
                    .setRunId(runId).setTimestamp(start).setName("synthetic demo run").setModelFamily("synthetic")
                    .setN(1000).build());
            for (int step = 0; step < steps; step++) {
                send(producer, topics.metrics(), runId, TrainingMetrics.newBuilder()
                        .setEventId(UUID.randomUUID().toString()).setRunId(runId).setStep(step)
                        .setTimestamp(Instant.now()).setLoss(0.33 * Math.exp(-step / 40.0)).build());
            }
            send(producer, topics.runs(), runId, RunEnded.newBuilder().setEventId(UUID.randomUUID().toString())
                    .setRunId(runId).setTimestamp(Instant.now()).setStatus(RunStatus.FINISHED).setLastStep(steps - 1)
                    .build());
            producer.flush();
        }
    }

    @SuppressWarnings("unchecked")
    private static <V extends SpecificRecord> void send(KafkaProducer<String, byte[]> producer, Topic<V> topic,
                                                        String runId, SpecificRecord event) {
        byte[] value = topic.valueSerde().serializer().serialize(topic.name(), (V) event);
        producer.send(new ProducerRecord<>(topic.name(), runId, value));
    }

    private static int readBack(EmbeddedKafkaBroker broker, String runId, int expected) {
        TopicCatalogue topics = broker.catalogue();
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "spectroscope-demo-" + runId);
        int count = 0;
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props,
                new org.apache.kafka.common.serialization.StringDeserializer(),
                new org.apache.kafka.common.serialization.ByteArrayDeserializer())) {
            consumer.subscribe(java.util.List.of(topics.runs().name(), topics.metrics().name()));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (count < expected && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (!runId.equals(r.key())) {
                        continue; // earlier demo runs on the same data dir
                    }
                    Topic<?> topic = topics.byName(r.topic()).orElseThrow();
                    topic.valueSerde().deserializer().deserialize(r.topic(), r.value());
                    count++;
                }
            }
        }
        return count;
    }
}
