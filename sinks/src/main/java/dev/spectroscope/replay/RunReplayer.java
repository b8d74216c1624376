package dev.spectroscope.replay;

import dev.spectroscope.archive.ArchiveLayout;
import dev.spectroscope.events.Checkpoint;
import dev.spectroscope.events.ConceptProbe;
import dev.spectroscope.events.RunEnded;
import dev.spectroscope.events.RunStarted;
import dev.spectroscope.events.SgldChain;
import dev.spectroscope.events.TrainingMetrics;
import dev.spectroscope.topics.Topic;
import dev.spectroscope.topics.TopicCatalogue;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.function.Consumer;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Re-publishes a recorded run's inputs. Event ids of a replay derive from the new run id and the original
 * ids, so replaying the same run under the same new id twice gives consumers duplicates they drop. Tags
 * given here override the run's own (detector settings are tags: {@code detector.*}); the RunStarted of a
 * replay carries {@code replay.of} with the original run id.
 */
public final class RunReplayer {

    /** Tag a replay's RunStarted carries: the run it replays. */
    public static final String REPLAY_OF_TAG = "replay.of";

    private RunReplayer() {
    }

    /**
     * @param runId        the recorded run
     * @param asRunId      the id to publish under (may equal {@code runId})
     * @param tagOverrides tags to set on the replay's RunStarted
     */
    public record Plan(String runId, String asRunId, ReplaySpeed speed, Map<String, String> tagOverrides) {
        public Plan {
            tagOverrides = Map.copyOf(tagOverrides);
        }
    }

    /** What a replay sent. */
    public record Result(String runId, int events, Map<String, Integer> byType, long millis) {
    }

    /**
     * The inputs among a run's recorded events, in replay order: RunStarted first, RunEnded last, the rest by
     * recorded time (ties keep recorded order). Derived events (estimates, transitions, alerts, chains the
     * probe worker sampled, dead letters) are left out: the pipeline recomputes them.
     */
    public static List<SpecificRecord> inputs(String runId, List<SpecificRecord> recorded) {
        List<SpecificRecord> out = new ArrayList<>();
        for (SpecificRecord e : recorded) {
            boolean input = e instanceof RunStarted || e instanceof RunEnded || e instanceof TrainingMetrics
                    || e instanceof Checkpoint || e instanceof ConceptProbe
                    || (e instanceof SgldChain c && "agent".equals(c.getSource()));
            if (input && runId.equals(ArchiveLayout.runId(e))) {
                out.add(e);
            }
        }
        if (out.stream().noneMatch(RunStarted.class::isInstance)) {
            throw new IllegalArgumentException("the recording of run '" + runId + "' has no RunStarted; a run "
                    + "cannot be replayed without it (was the archive started after the run?)");
        }
        Map<SpecificRecord, Integer> order = new HashMap<>();
        for (int i = 0; i < out.size(); i++) {
            order.put(out.get(i), i);
        }
        out.sort(Comparator.comparingInt((SpecificRecord e) -> e instanceof RunStarted ? 0 : e instanceof RunEnded ? 2 : 1)
                .thenComparingLong(RunReplayer::timestamp).thenComparingInt(order::get));
        return out;
    }

    /** The event as the replay sends it: new run id, derived event id, tag overrides on RunStarted. */
    public static SpecificRecord rewrite(SpecificRecord event, Plan plan) {
        SpecificRecord copy = SpecificData.get().deepCopy(event.getSchema(), event);
        set(copy, "runId", plan.asRunId());
        String original = ArchiveLayout.eventId(event);
        if (!plan.asRunId().equals(plan.runId())) {
            set(copy, "eventId", UUID.nameUUIDFromBytes((plan.asRunId() + '|' + original)
                    .getBytes(StandardCharsets.UTF_8)).toString());
        }
        if (copy instanceof RunStarted started) {
            Map<String, String> tags = new HashMap<>(started.getTags());
            tags.putAll(plan.tagOverrides());
            if (!plan.asRunId().equals(plan.runId())) {
                tags.put(REPLAY_OF_TAG, plan.runId());
            }
            set(started, "tags", tags);
        }
        return copy;
    }

    /** Sends the run's inputs into the topics, pacing them by the plan's speed; returns once all are acknowledged. */
    public static Result publish(String bootstrapServers, Map<String, String> kafka, TopicCatalogue topics,
                                 List<SpecificRecord> recorded, Plan plan, Consumer<String> progress)
            throws InterruptedException {
        List<SpecificRecord> events = inputs(plan.runId(), recorded);
        Properties p = new Properties();
        p.putAll(kafka);
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        // One request in flight: with several, a first request refused while a new partition's leader settles lets a
        // later one through (the broker takes any first sequence from a producer it has no state for), and the
        // first is then retried with an out-of-order sequence until it expires: lost (KAFKA-14359, KAFKA-15591).
        p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1);
        p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "spectroscope-replay");
        Map<String, Integer> byType = new HashMap<>();
        long start = System.currentTimeMillis();
        long recordedStart = timestamp(events.get(0));
        long recordedEnd = events.stream().mapToLong(RunReplayer::timestamp).max().orElse(recordedStart);
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p, new StringSerializer(),
                new ByteArraySerializer())) {
            int sent = 0;
            for (SpecificRecord e : events) {
                long due = start + plan.speed().delayMillis(timestamp(e) - recordedStart);
                long wait = due - System.currentTimeMillis();
                if (wait > 0) {
                    producer.flush();
                    Thread.sleep(wait);
                }
                SpecificRecord out = rewrite(e, plan);
                @SuppressWarnings("unchecked")
                Topic<SpecificRecord> topic = (Topic<SpecificRecord>) topics.topicFor(out.getClass());
                // Record timestamps keep the recorded spacing (shifted to end now, inside every retention), so
                // Kafka Streams interleaves the run's topics as it did live: detections that combine signals from
                // several topics come out the same.
                long recordTime = Double.isInfinite(plan.speed().factor())
                        ? start - (recordedEnd - timestamp(e))
                        : start + plan.speed().delayMillis(timestamp(e) - recordedStart);
                producer.send(new ProducerRecord<>(topic.name(), null, recordTime, plan.asRunId(),
                        topic.valueSerde().serializer().serialize(topic.name(), out)));
                byType.merge(out.getClass().getSimpleName(), 1, Integer::sum);
                if (++sent % 1000 == 0) {
                    progress.accept("replayed " + sent + " of " + events.size() + " events");
                }
            }
            producer.flush();
        }
        return new Result(plan.asRunId(), events.size(), byType, System.currentTimeMillis() - start);
    }

    private static long timestamp(SpecificRecord e) {
        Object v = e.get(e.getSchema().getField("timestamp").pos());
        return v instanceof Instant i ? i.toEpochMilli() : ((Number) v).longValue();
    }

    private static void set(SpecificRecord e, String name, Object value) {
        e.put(e.getSchema().getField(name).pos(), value);
    }
}
