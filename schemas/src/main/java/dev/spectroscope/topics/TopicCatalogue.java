package dev.spectroscope.topics;

import dev.spectroscope.events.Alert;
import dev.spectroscope.events.Checkpoint;
import dev.spectroscope.events.ConceptProbe;
import dev.spectroscope.events.DeadLetter;
import dev.spectroscope.events.DosEstimate;
import dev.spectroscope.events.EventSerde;
import dev.spectroscope.events.LlcEstimate;
import dev.spectroscope.events.PhaseTransition;
import dev.spectroscope.events.RunEnded;
import dev.spectroscope.events.RunStarted;
import dev.spectroscope.events.SgldChain;
import dev.spectroscope.events.TrainingMetrics;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.Serdes;

/**
 * Every Spectroscope topic in one place: name (with a configurable prefix), Serdes, partitions,
 * cleanup policy and retention.
 *
 * <p>All events are keyed by run id, so one run's events stay in order in one partition. The runs
 * topic keeps everything forever with the delete policy rather than compaction: RunStarted and
 * RunEnded share the run id as key, and compaction would drop the RunStarted that replay and late
 * consumers need.
 */
public final class TopicCatalogue {

    /** The default prefix: topics are named {@code spectroscope.runs}, {@code spectroscope.metrics}, ... */
    public static final String DEFAULT_PREFIX = "spectroscope.";

    /** Default partitions per topic: enough for a few consumers on a laptop; raise it for scale. */
    public static final int DEFAULT_PARTITIONS = 3;

    private static final Pattern LEGAL_PREFIX = Pattern.compile("[a-zA-Z0-9._-]*");
    private static final long FOREVER = -1L;
    private static final long WEEK = Duration.ofDays(7).toMillis();
    private static final long MONTH = Duration.ofDays(30).toMillis();

    private final String prefix;
    private final Topic<SpecificRecord> runs;
    private final Topic<TrainingMetrics> metrics;
    private final Topic<Checkpoint> checkpoints;
    private final Topic<ConceptProbe> probes;
    private final Topic<SgldChain> chains;
    private final Topic<SpecificRecord> estimates;
    private final Topic<PhaseTransition> transitions;
    private final Topic<Alert> alerts;
    private final Topic<DeadLetter> deadLetters;

    public TopicCatalogue() {
        this(DEFAULT_PREFIX, DEFAULT_PARTITIONS);
    }

    /**
     * @param prefix     prepended to every topic's base name, e.g. {@code spectroscope.} or {@code team-a.spectroscope.}
     * @param partitions partitions per topic
     */
    public TopicCatalogue(String prefix, int partitions) {
        if (prefix == null || !LEGAL_PREFIX.matcher(prefix).matches()) {
            throw new IllegalArgumentException("topic prefix '" + prefix
                    + "' may only hold letters, digits, '.', '_' and '-'");
        }
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be at least 1, was " + partitions);
        }
        this.prefix = prefix;
        String del = TopicConfig.CLEANUP_POLICY_DELETE;
        this.runs = topic("runs", EventSerde.anyOf(RunStarted.class, RunEnded.class),
                Set.of(RunStarted.class, RunEnded.class), partitions, del, FOREVER);
        this.metrics = topic("metrics", EventSerde.of(TrainingMetrics.class), Set.of(TrainingMetrics.class),
                partitions, del, MONTH);
        this.checkpoints = topic("checkpoints", EventSerde.of(Checkpoint.class), Set.of(Checkpoint.class),
                partitions, del, MONTH);
        this.probes = topic("probes", EventSerde.of(ConceptProbe.class), Set.of(ConceptProbe.class), partitions, del,
                MONTH);
        this.chains = topic("chains", EventSerde.of(SgldChain.class), Set.of(SgldChain.class), partitions, del, MONTH);
        this.estimates = topic("estimates", EventSerde.anyOf(LlcEstimate.class, DosEstimate.class),
                Set.of(LlcEstimate.class, DosEstimate.class), partitions, del, FOREVER);
        this.transitions = topic("transitions", EventSerde.of(PhaseTransition.class),
                Set.of(PhaseTransition.class), partitions, del, FOREVER);
        this.alerts = topic("alerts", EventSerde.of(Alert.class), Set.of(Alert.class), partitions, del, MONTH);
        this.deadLetters = topic("dlq", EventSerde.of(DeadLetter.class), Set.of(DeadLetter.class), partitions,
                del, WEEK * 4);
    }

    private <V extends SpecificRecord> Topic<V> topic(String base, EventSerde<V> serde,
                                                     Set<Class<? extends SpecificRecord>> types, int partitions,
                                                     String cleanup, long retentionMs) {
        return new Topic<>(prefix + base, Serdes.String(), serde, types, partitions, cleanup, retentionMs);
    }

    public String prefix() {
        return prefix;
    }

    /** RunStarted and RunEnded. */
    public Topic<SpecificRecord> runs() {
        return runs;
    }

    public Topic<TrainingMetrics> metrics() {
        return metrics;
    }

    public Topic<Checkpoint> checkpoints() {
        return checkpoints;
    }

    /** ConceptProbe: the concept scores a run reports at its checkpoints. */
    public Topic<ConceptProbe> probes() {
        return probes;
    }

    /**
     * SgldChain: every draw's loss of every chain, from the probe worker or the agent — the bulk of the traffic
     * (a few KB per chain, tens of chains per checkpoint). Its own topic, so that the readers of concept probes
     * (the transition detectors, the dashboard) do not fetch it only to drop it. Builds before 2026-12-02 wrote
     * chains to the probes topic; the estimator still reads chains found there.
     */
    public Topic<SgldChain> chains() {
        return chains;
    }

    /** LlcEstimate and DosEstimate. */
    public Topic<SpecificRecord> estimates() {
        return estimates;
    }

    public Topic<PhaseTransition> transitions() {
        return transitions;
    }

    public Topic<Alert> alerts() {
        return alerts;
    }

    /** The dead-letter topic: every record that could not be read or processed. */
    public Topic<DeadLetter> deadLetters() {
        return deadLetters;
    }

    /**
     * All topics, in flow order save the last: the agent's journal stores a record's topic as its index here, so a
     * new topic goes at the end (chains came after the dead letters), and journals written before stay readable.
     */
    public List<Topic<? extends SpecificRecord>> all() {
        return List.of(runs, metrics, checkpoints, probes, estimates, transitions, alerts, deadLetters, chains);
    }

    public Optional<Topic<? extends SpecificRecord>> byName(String name) {
        return all().stream().filter(t -> t.name().equals(name)).findFirst();
    }

    /** The topic that carries events of this type. */
    public Topic<? extends SpecificRecord> topicFor(Class<? extends SpecificRecord> eventType) {
        return all().stream().filter(t -> t.eventTypes().contains(eventType)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException(eventType.getSimpleName() + " has no topic"));
    }
}
