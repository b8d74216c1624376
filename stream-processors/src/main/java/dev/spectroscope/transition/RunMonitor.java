package dev.spectroscope.transition;

import dev.spectroscope.deadletter.DeadLetters;
import dev.spectroscope.event.DeadLetterForwarder;
import dev.spectroscope.event.EventDecoder;
import dev.spectroscope.events.Alert;
import dev.spectroscope.events.ConceptMove;
import dev.spectroscope.events.ConceptProbe;
import dev.spectroscope.events.DosEstimate;
import dev.spectroscope.events.EventCodec;
import dev.spectroscope.events.EventTypes;
import dev.spectroscope.events.LlcEstimate;
import dev.spectroscope.events.PhaseTransition;
import dev.spectroscope.events.RunEnded;
import dev.spectroscope.events.RunStarted;
import dev.spectroscope.events.RunStatus;
import dev.spectroscope.events.Severity;
import dev.spectroscope.events.SgldChain;
import dev.spectroscope.events.TrainingMetrics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches each run (state store {@code run-states}): validates its events (unknown run, step going
 * backwards or repeated, non-finite values go to the dead letters), feeds the online detectors — excursions
 * of the block-mean loss and of every concept probe, BOCPD on λ̂ and on the DOS λ — merges their moves into
 * phase transitions, and raises alerts per transition and per health problem (NaN loss, negative or unstable
 * λ̂, a failed run, dropped events, a run gone silent).
 */
public final class RunMonitor implements Processor<String, SpecificRecord, String, SpecificRecord> {

    public static final String STORE = "run-states";

    private static final Logger LOG = LoggerFactory.getLogger(RunMonitor.class);
    @SuppressWarnings("unchecked")
    private static final EventCodec<SpecificRecord> ANY = EventCodec.anyOf(EventTypes.all().toArray(Class[]::new));

    private final String application;
    private final DetectorSettings defaults;
    private final String transitionsSink;
    private final String alertsSink;
    private final String deadLetterSink;
    /** How long after a RunEnded the moves still open are reported (see {@code onEnded}). */
    static final Duration END_GRACE = Duration.ofSeconds(2);

    private ProcessorContext<String, SpecificRecord> context;
    private KeyValueStore<String, RunState> runs;
    private AwaitingRunStart awaiting;

    public RunMonitor(String application, DetectorSettings defaults, String transitionsSink, String alertsSink,
                      String deadLetterSink) {
        this.application = application;
        this.defaults = defaults;
        this.transitionsSink = transitionsSink;
        this.alertsSink = alertsSink;
        this.deadLetterSink = deadLetterSink;
    }

    @Override
    public void init(ProcessorContext<String, SpecificRecord> context) {
        this.context = context;
        this.runs = context.getStateStore(STORE);
        this.awaiting = new AwaitingRunStart(context.getStateStore(AwaitingRunStart.STORE), ANY);
        // Caches of the stores: a task revived after an aborted transaction is initialised again with its stores
        // rolled back.
        cache.clear();
        settings.clear();
        context.schedule(Duration.ofSeconds(1), PunctuationType.WALL_CLOCK_TIME, this::deadLetterExpired);
        context.schedule(Duration.ofSeconds(5), PunctuationType.WALL_CLOCK_TIME, this::checkSilence);
        context.schedule(Duration.ofMillis(500), PunctuationType.WALL_CLOCK_TIME, this::flushEndedRuns);
    }

    @Override
    public void process(Record<String, SpecificRecord> record) {
        SpecificRecord event = record.value();
        if (event instanceof SgldChain) {
            return; // the chain collector's
        }
        if (event instanceof RunStarted started) {
            onStarted(record, started);
            return;
        }
        String runId = runIdOf(event);
        RunState state = runId == null ? null : load(runId);
        if (state == null) {
            if (runId == null) {
                deadLetter(record, null, DeadLetters.UNKNOWN_RUN, event.getClass().getSimpleName()
                        + " without a run id: every event names its run");
                return;
            }
            // Its RunStarted may be a fetch behind (another topic's partition): held, not dead-lettered yet.
            Header raw = record.headers().lastHeader(EventDecoder.RAW_HEADER);
            var source = context.recordMetadata();
            awaiting.hold(runId, record.key(), raw != null ? raw.value() : ANY.encode(event), record.timestamp(),
                    context.currentSystemTimeMs(), source.map(RecordMetadata::topic).orElse("?"),
                    source.map(RecordMetadata::partition).orElse(-1), source.map(RecordMetadata::offset).orElse(-1L));
            return;
        }
        handle(record, event, state);
    }

    /** An event of a run whose RunStarted has been seen. */
    private void handle(Record<String, SpecificRecord> record, SpecificRecord event, RunState state) {
        state.lastSeenWallMillis = context.currentSystemTimeMs();
        if (firingKey(state, "silent") != null) { // the run speaks again: the step is looked up only then
            resolve(state, "silent", stepOf(event, state.latestStep), record.timestamp());
        }
        DetectorSettings settings = settingsOf(state);
        if (event instanceof TrainingMetrics m) {
            onMetrics(record, state, m, settings);
        } else if (event instanceof ConceptProbe p) {
            onConcept(record, state, p, settings);
        } else if (event instanceof LlcEstimate e) {
            onLlc(record, state, e, settings);
        } else if (event instanceof DosEstimate d) {
            onDos(record, state, d, settings);
        } else if (event instanceof RunEnded ended) {
            onEnded(record, state, ended, settings);
        }
        save(state);
    }

    /** This task's runs, kept decoded between records (a cache: the store is the state). */
    private final Map<String, RunState> cache = new java.util.HashMap<>();

    private RunState load(String runId) {
        RunState state = cache.get(runId);
        if (state == null) {
            state = runs.get(runId);
            if (state != null) {
                cache.put(runId, state);
            }
        }
        return state;
    }

    private void save(RunState state) {
        cache.put(state.runId, state);
        runs.put(state.runId, state);
    }

    private void onStarted(Record<String, SpecificRecord> record, RunStarted started) {
        RunState existing = load(started.getRunId());
        if (existing != null) {
            deadLetter(record, started.getRunId(), DeadLetters.DUPLICATE, "a second RunStarted for run "
                    + started.getRunId() + "; a run id names one run (replay under a new id with --as)");
            return;
        }
        RunState state = new RunState(started.getRunId());
        state.name = started.getName();
        state.modelFamily = started.getModelFamily();
        state.n = started.getN();
        state.startedMillis = started.getTimestamp().toEpochMilli();
        state.tags = new java.util.HashMap<>(started.getTags());
        state.lastSeenWallMillis = context.currentSystemTimeMs();
        try {
            defaults.withTags(state.tags);
        } catch (IllegalArgumentException e) {
            state.detectorProblem = e.getMessage();
            alert(state, null, Severity.WARNING, "detector-settings", "Run " + state.runId
                    + ": detector settings ignored", e.getMessage() + "; the defaults apply", state.runId
                    + "|detector-settings", false, record.timestamp());
        }
        LOG.info("run {} ({}) started", state.runId, state.name);
        save(state);
        // Events that came before their RunStarted, in the order they came. A dead letter one of them raises (a
        // step going backwards, say) names the RunStarted's record as its source, the record being processed.
        for (AwaitingRunStart.Held held : awaiting.release(state.runId)) {
            handle(new Record<>(held.key(), held.event(), held.timestamp()), held.event(), load(state.runId));
        }
    }

    /** Held events whose run has not started within {@link AwaitingRunStart#WAIT}: dead letters after all. */
    private void deadLetterExpired(long now) {
        for (AwaitingRunStart.Held held : awaiting.expired(now)) {
            String runId = runIdOf(held.event());
            DeadLetterForwarder.forwardFrom(context, deadLetterSink, application, held.key(), held.bytes(),
                    held.timestamp(), held.topic(), held.partition(), held.offset(), runId, DeadLetters.UNKNOWN_RUN,
                    held.event().getClass().getSimpleName() + " for run " + runId + ", which has no RunStarted "
                            + "(waited " + AwaitingRunStart.WAIT.toSeconds() + " s for it): start runs through the "
                            + "agent (or replay the run's RunStarted first)");
        }
    }

    private void onMetrics(Record<String, SpecificRecord> record, RunState state, TrainingMetrics m,
                           DetectorSettings settings) {
        if (m.getStep() <= state.lastMetricsStep) {
            boolean duplicate = m.getStep() == state.lastMetricsStep;
            deadLetter(record, state.runId, duplicate ? DeadLetters.DUPLICATE : DeadLetters.STEP_BACKWARDS,
                    String.format(Locale.ROOT, "TrainingMetrics of run %s at step %d %s (last step %d)", state.runId,
                            m.getStep(), duplicate ? "repeats a step already seen" : "goes backwards",
                            state.lastMetricsStep));
            return;
        }
        if (!Double.isFinite(m.getLoss())) {
            deadLetter(record, state.runId, DeadLetters.INVALID_VALUE, String.format(Locale.ROOT,
                    "TrainingMetrics of run %s at step %d has loss %s", state.runId, m.getStep(), m.getLoss()));
            fire(state, m.getStep(), Severity.CRITICAL, "nan-loss", "Run " + state.name + ": loss is " + m.getLoss(),
                    String.format(Locale.ROOT, "The training loss of run %s became %s at step %d: the run is "
                            + "diverging (lower the learning rate, check the data)", state.runId, m.getLoss(),
                            m.getStep()), record.timestamp());
            state.lastMetricsStep = m.getStep();
            return;
        }
        resolve(state, "nan-loss", m.getStep(), record.timestamp());
        state.lastMetricsStep = m.getStep();
        state.latestStep = Math.max(state.latestStep, m.getStep());
        state.latestLoss = m.getLoss();
        long block = m.getStep() / settings.lossBlockSteps();
        if (block != state.blockIndex && state.blockCount > 0) {
            double mean = state.blockSum / state.blockCount;
            RunState.append(state.lossHistory, state.blockLastStep, mean);
            if (settings.watches("loss")) {
                observe(state, state.excursions.computeIfAbsent("loss", ExcursionDetector::new)
                        .observe(state.blockLastStep, mean, settings.loss()), settings, record.timestamp());
            }
            state.blockSum = 0;
            state.blockCount = 0;
        }
        state.blockIndex = block;
        state.blockSum += m.getLoss();
        state.blockCount++;
        state.blockLastStep = m.getStep();
    }

    private void onConcept(Record<String, SpecificRecord> record, RunState state, ConceptProbe p,
                           DetectorSettings settings) {
        Long last = state.lastConceptStep.get(p.getProbe());
        if (last != null && p.getStep() <= last) {
            deadLetter(record, state.runId, p.getStep() == last ? DeadLetters.DUPLICATE : DeadLetters.STEP_BACKWARDS,
                    String.format(Locale.ROOT, "ConceptProbe %s of run %s at step %d %s (last step %d)", p.getProbe(),
                            state.runId, p.getStep(), p.getStep() == last ? "repeats a step" : "goes backwards", last));
            return;
        }
        if (!Double.isFinite(p.getScore())) {
            deadLetter(record, state.runId, DeadLetters.INVALID_VALUE, String.format(Locale.ROOT,
                    "ConceptProbe %s of run %s at step %d has score %s", p.getProbe(), state.runId, p.getStep(),
                    p.getScore()));
            return;
        }
        state.lastConceptStep.put(p.getProbe(), p.getStep());
        state.conceptHigherIsBetter.put(p.getProbe(), p.getHigherIsBetter());
        RunState.append(state.conceptHistory.computeIfAbsent(p.getProbe(), k -> new ArrayList<>()), p.getStep(),
                p.getScore());
        state.noteCheckpoint(p.getStep());
        if (settings.watches("concepts")) {
            String signal = "concept:" + p.getProbe();
            observe(state, state.excursions.computeIfAbsent(signal, ExcursionDetector::new)
                    .observe(p.getStep(), p.getScore(), settings.concept()), settings, record.timestamp());
        }
    }

    private void onLlc(Record<String, SpecificRecord> record, RunState state, LlcEstimate e, DetectorSettings settings) {
        if (e.getStep() <= state.lastLlcStep) {
            deadLetter(record, state.runId, e.getStep() == state.lastLlcStep ? DeadLetters.DUPLICATE
                    : DeadLetters.STEP_BACKWARDS, String.format(Locale.ROOT, "LlcEstimate of run %s at step %d after "
                    + "one at step %d", state.runId, e.getStep(), state.lastLlcStep));
            return;
        }
        state.lastLlcStep = e.getStep();
        state.noteCheckpoint(e.getStep());
        if (!Double.isFinite(e.getLlcMean())) {
            fire(state, e.getStep(), Severity.WARNING, "unstable-llc", "Run " + state.name + ": no LLC estimate",
                    "Every chain of step " + e.getStep() + " diverged: lower the probe's epsilon", record.timestamp());
            return;
        }
        state.llcMean = e.getLlcMean();
        state.llcStd = e.getLlcStd();
        RunState.append(state.llcHistory, e.getStep(), e.getLlcMean());
        if (e.getLlcMean() < 0) {
            fire(state, e.getStep(), Severity.WARNING, "negative-llc", "Run " + state.name + ": negative LLC",
                    String.format(Locale.ROOT, "λ̂ = %.3g ± %.2g at step %d: the sampler found lower loss than the "
                            + "checkpoint's (not a local minimum yet, or epsilon too large)", e.getLlcMean(),
                            e.getLlcStd(), e.getStep()), record.timestamp());
        } else {
            resolve(state, "negative-llc", e.getStep(), record.timestamp());
        }
        if (e.getLlcStd() > Math.max(0.5 * Math.abs(e.getLlcMean()), 1e-9) && e.getChains() > 1) {
            fire(state, e.getStep(), Severity.WARNING, "unstable-llc", "Run " + state.name + ": unstable LLC",
                    String.format(Locale.ROOT, "λ̂ = %.3g ± %.2g at step %d: the chains disagree by more than half "
                            + "the estimate (more draws, a smaller epsilon or a larger gamma)", e.getLlcMean(),
                            e.getLlcStd(), e.getStep()), record.timestamp());
        } else {
            resolve(state, "unstable-llc", e.getStep(), record.timestamp());
        }
        if (settings.watches("llc")) {
            double stderr = e.getChains() > 1 ? e.getLlcStd() / Math.sqrt(e.getChains()) : Double.NaN;
            observe(state, state.bocpds.computeIfAbsent("llc", BocpdDetector::new)
                    .observe(e.getStep(), e.getLlcMean(), stderr, settings.llc()), settings, record.timestamp());
        }
    }

    private void onDos(Record<String, SpecificRecord> record, RunState state, DosEstimate d, DetectorSettings settings) {
        if (d.getStep() <= state.lastDosStep) {
            deadLetter(record, state.runId, d.getStep() == state.lastDosStep ? DeadLetters.DUPLICATE
                    : DeadLetters.STEP_BACKWARDS, String.format(Locale.ROOT, "DosEstimate of run %s at step %d after "
                    + "one at step %d", state.runId, d.getStep(), state.lastDosStep));
            return;
        }
        state.lastDosStep = d.getStep();
        if (!Double.isFinite(d.getLambda())) {
            return;
        }
        state.dosLambda = d.getLambda();
        state.dosLambdaStderr = d.getLambdaStderr();
        state.dosMultiplicity = d.getMultiplicity();
        state.dosMultiplicityStderr = d.getMultiplicityStderr();
        if (settings.watches("dos") && !d.getLocalizationDominated()) {
            observe(state, state.bocpds.computeIfAbsent("dos-lambda", BocpdDetector::new)
                    .observe(d.getStep(), d.getLambda(), d.getLambdaStderr(), settings.dos()), settings,
                    record.timestamp());
        }
    }

    private void onEnded(Record<String, SpecificRecord> record, RunState state, RunEnded ended,
                         DetectorSettings settings) {
        state.ended = true;
        state.status = ended.getStatus().name();
        // Moves still open at the end are reported as they stand, a moment later: the run's last concept probes
        // travel on another topic and may be read just after its RunEnded. Reporting once they are in makes the
        // result independent of that interleaving, so a replay reports the same transitions.
        state.endFlushDueWallMillis = context.currentSystemTimeMs() + END_GRACE.toMillis();
        if (ended.getStatus() == RunStatus.FAILED) {
            alert(state, ended.getLastStep(), Severity.CRITICAL, "run-failed", "Run " + state.name + " failed",
                    "The training job reported failure at step " + ended.getLastStep(), state.runId + "|run-failed",
                    false, record.timestamp());
        }
        long dropped = ended.getDroppedEvents().values().stream().mapToLong(Long::longValue).sum();
        if (dropped > 0) {
            alert(state, ended.getLastStep(), Severity.WARNING, "dropped-events", "Run " + state.name + " dropped "
                    + dropped + " events", "The agent ran out of disk budget while Kafka was away and dropped "
                    + ended.getDroppedEvents() + " (metrics first); raise its spill budget", state.runId + "|dropped",
                    false, record.timestamp());
        }
        LOG.info("run {} ended {} at step {}: {} transitions", state.runId, state.status, ended.getLastStep(),
                state.transitions.size());
    }

    /** A detector's report becomes a new transition, or joins one whose start lies within the merge window. */
    private void observe(RunState state, Optional<SignalChange> change, DetectorSettings settings, long timestamp) {
        if (change.isEmpty()) {
            return;
        }
        SignalChange c = change.get();
        long window = settings.mergeCheckpoints() * state.checkpointInterval(settings.lossBlockSteps());
        // The loss and the estimates sum over everything the model does: their move during a concept's move is
        // that move, so they join any transition they overlap. Concepts join only one that starts with them.
        boolean aggregate = !c.signal().startsWith("concept:");
        if (aggregate && state.excursions.entrySet().stream()
                .anyMatch(e -> e.getKey().startsWith("concept:") && e.getValue().open)) {
            LOG.debug("run {}: {} moved over steps {}–{} while a concept is moving; that move will report it",
                    state.runId, c.signal(), c.startStep(), c.endStep());
            return;
        }
        for (RunState.Transition t : state.transitions) {
            boolean overlaps = c.startStep() <= t.endStep + window && c.endStep() >= t.startStep - window;
            if (Math.abs(t.startStep - c.startStep()) <= window || (aggregate && overlaps)) {
                if (!t.signals.contains(c.signal())) {
                    t.signals.add(c.signal());
                }
                return;
            }
        }
        RunState.Transition t = new RunState.Transition();
        t.transitionId = uuid("transition|" + state.runId + '|' + c.signal() + '|' + c.startStep());
        t.signal = c.signal();
        t.detector = c.detector();
        t.startStep = c.startStep();
        t.endStep = c.endStep();
        // The step of the observation that revealed the move, not how far training has got by then: that
        // depends on how the run's topics happen to interleave, and a replay must report the same step.
        t.detectedAtStep = c.detectedAtStep();
        t.levelBefore = c.levelBefore();
        t.levelAfter = c.levelAfter();
        t.confidence = c.confidence();
        t.signals.add(c.signal());
        long interval = state.checkpointInterval(settings.lossBlockSteps());
        // Which concepts moved as it began: a slow move's later stretch can overlap the next concept's.
        List<ConceptMove> moves = conceptMoves(state, c.startStep() - interval,
                Math.min(c.endStep(), c.startStep() + 3 * interval));
        moves.stream().limit(3).forEach(m -> t.topConcepts.add(m.getProbe()));
        state.transitions.add(t);
        if (state.transitions.size() > 200) {
            state.transitions.remove(0);
        }
        PhaseTransition event = PhaseTransition.newBuilder()
                .setEventId(uuid("phase-transition|" + t.transitionId))
                .setRunId(state.runId)
                .setTimestamp(Instant.ofEpochMilli(timestamp))
                .setTransitionId(t.transitionId)
                .setSignal(c.signal())
                .setDetector(c.detector())
                .setStartStep(c.startStep())
                .setEndStep(c.endStep())
                .setDetectedAtStep(t.detectedAtStep)
                .setDetectionDelaySteps(Math.max(0, t.detectedAtStep - c.startStep()))
                .setLevelBefore(c.levelBefore())
                .setLevelAfter(c.levelAfter())
                .setLlcBefore(nullIfNaN(RunState.valueAt(state.llcHistory, c.startStep() - interval)))
                .setLlcAfter(nullIfNaN(RunState.valueAt(state.llcHistory, c.endStep())))
                .setLossBefore(nullIfNaN(RunState.valueAt(state.lossHistory, c.startStep() - interval)))
                .setLossAfter(nullIfNaN(RunState.valueAt(state.lossHistory, c.endStep())))
                .setConfidence(c.confidence())
                .setTopConcepts(moves.stream().limit(5).toList())
                .build();
        context.forward(new Record<String, SpecificRecord>(state.runId, event, timestamp), transitionsSink);
        String concepts = t.topConcepts.isEmpty() ? "" : "; concepts that moved most: " + String.join(", ", t.topConcepts);
        LOG.info("run {}: phase transition in {} over steps {}–{} ({} → {}){}", state.runId, c.signal(), c.startStep(),
                c.endStep(), fmt(c.levelBefore()), fmt(c.levelAfter()), concepts);
        alert(state, t.detectedAtStep, Severity.INFO, "phase-transition", String.format(Locale.ROOT,
                "Run %s: phase transition at steps %d–%d", state.name, c.startStep(), c.endStep()),
                String.format(Locale.ROOT, "%s moved from %s to %s (detector %s, confidence %.2f)%s", c.signal(),
                        fmt(c.levelBefore()), fmt(c.levelAfter()), c.detector(), c.confidence(), concepts),
                t.transitionId, false, timestamp);
    }

    /** Concept probes by how much they moved between two steps, most first. */
    static List<ConceptMove> conceptMoves(RunState state, long from, long to) {
        List<ConceptMove> moves = new ArrayList<>();
        for (Map.Entry<String, List<double[]>> e : state.conceptHistory.entrySet()) {
            double before = RunState.valueAt(e.getValue(), from);
            double after = RunState.valueAt(e.getValue(), to);
            if (Double.isFinite(before) && Double.isFinite(after)) {
                moves.add(new ConceptMove(e.getKey(), before, after));
            }
        }
        moves.sort(Comparator.comparingDouble((ConceptMove m) -> -Math.abs(m.getAfter() - m.getBefore())));
        return moves;
    }

    /** Reports the moves still open in runs whose end was seen at least {@link #END_GRACE} ago. */
    private void flushEndedRuns(long now) {
        List<RunState> due = new ArrayList<>();
        try (KeyValueIterator<String, RunState> it = runs.all()) {
            while (it.hasNext()) {
                KeyValue<String, RunState> entry = it.next();
                RunState s = cache.getOrDefault(entry.key, entry.value);
                if (s.endFlushDueWallMillis > 0 && now >= s.endFlushDueWallMillis) {
                    due.add(s);
                }
            }
        }
        for (RunState s : due) {
            DetectorSettings settings = settingsOf(s);
            for (Map.Entry<String, ExcursionDetector> e : s.excursions.entrySet()) {
                ExcursionDetector.Settings es = e.getKey().equals("loss") ? settings.loss() : settings.concept();
                observe(s, e.getValue().flush(es), settings, now);
            }
            s.endFlushDueWallMillis = 0;
            save(s);
        }
    }

    private void checkSilence(long now) {
        List<KeyValue<String, RunState>> silent = new ArrayList<>();
        try (KeyValueIterator<String, RunState> it = runs.all()) {
            while (it.hasNext()) {
                KeyValue<String, RunState> entry = it.next();
                RunState s = cache.getOrDefault(entry.key, entry.value);
                Duration silence = settingsOf(s).silence();
                if (!s.ended && firingKey(s, "silent") == null && now - s.lastSeenWallMillis > silence.toMillis()) {
                    silent.add(entry);
                }
            }
        }
        for (KeyValue<String, RunState> entry : silent) {
            RunState s = entry.value;
            fire(s, s.latestStep, Severity.WARNING, "silent", "Run " + s.name + " stopped sending",
                    "No event from run " + s.runId + " for " + (now - s.lastSeenWallMillis) / 1000 + " s and no "
                            + "RunEnded: the job may have hung or died", now);
            save(s);
        }
    }

    /** Each run's settings, parsed from its tags once per task rather than once per record. */
    private final Map<String, DetectorSettings> settings = new java.util.HashMap<>();

    private DetectorSettings settingsOf(RunState state) {
        if (state.detectorProblem != null) {
            return defaults;
        }
        return settings.computeIfAbsent(state.runId, id -> defaults.withTags(state.tags));
    }

    /**
     * Raises a health alert once while the problem lasts. Each episode has its own dedup key (kind and the step
     * it began at): sinks deliver a key's firing and resolution once each, so a problem that returns after it
     * cleared must not reuse the key of the episode already delivered.
     */
    private void fire(RunState state, long step, Severity severity, String kind, String title, String text,
                      long timestamp) {
        if (firingKey(state, kind) == null) {
            String key = state.runId + '|' + kind + '|' + step;
            state.firing.add(key);
            alert(state, step, severity, kind, title, text, key, false, timestamp);
        }
    }

    /**
     * Resolves a health alert that was firing, at the step of the evidence that cleared it (not the latest
     * step seen, which depends on how far the other topics have been read).
     */
    private void resolve(RunState state, String kind, long step, long timestamp) {
        String key = firingKey(state, kind);
        if (key != null) {
            state.firing.remove(key);
            alert(state, step, Severity.INFO, kind, "Resolved: " + kind + " in run " + state.name,
                    "The condition cleared", key, true, timestamp);
        }
    }

    /** The dedup key of the kind's episode now firing, or null; keys of older states lack the step. */
    private static String firingKey(RunState state, String kind) {
        String base = state.runId + '|' + kind;
        for (String key : state.firing) {
            if (key.equals(base) || key.startsWith(base + '|')) {
                return key;
            }
        }
        return null;
    }

    private void alert(RunState state, Long step, Severity severity, String kind, String title, String text,
                       String dedupKey, boolean resolved, long timestamp) {
        Alert alert = Alert.newBuilder()
                .setEventId(uuid("alert|" + dedupKey + '|' + resolved + '|' + step + '|' + state.transitions.size()))
                .setRunId(state.runId)
                .setTimestamp(Instant.ofEpochMilli(timestamp))
                .setStep(step != null && step >= 0 ? step : null)
                .setSeverity(severity)
                .setKind(kind)
                .setTitle(title)
                .setText(text)
                .setDedupKey(dedupKey)
                .setResolved(resolved)
                .setLabels(Map.of("run", state.runId, "name", state.name, "model", state.modelFamily))
                .build();
        if (!resolved && severity != Severity.INFO) {
            LOG.warn("alert {}: {}", kind, title);
        }
        context.forward(new Record<String, SpecificRecord>(state.runId, alert, timestamp), alertsSink);
    }

    private void deadLetter(Record<String, SpecificRecord> record, String runId, String type, String reason) {
        DeadLetterForwarder.forward(context, deadLetterSink, application, record, null,
                () -> ANY.encode(record.value()), runId, type, reason);
    }

    /** The event's step, for events that have one. */
    private static long stepOf(SpecificRecord event, long otherwise) {
        var field = event.getSchema().getField("step");
        Object step = field == null ? null : event.get(field.pos());
        return step instanceof Long l ? l : otherwise;
    }

    private static String runIdOf(SpecificRecord event) {
        Object id = event.get(event.getSchema().getField("runId").pos());
        return id == null ? null : id.toString();
    }

    private static Double nullIfNaN(double v) {
        return Double.isFinite(v) ? v : null;
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.4g", v);
    }

    static String uuid(String name) {
        return UUID.nameUUIDFromBytes(name.getBytes(StandardCharsets.UTF_8)).toString();
    }
}
