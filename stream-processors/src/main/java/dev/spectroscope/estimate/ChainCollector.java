package dev.spectroscope.estimate;

import dev.spectroscope.deadletter.DeadLetters;
import dev.spectroscope.events.EventCodec;
import dev.spectroscope.events.SgldChain;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import dev.spectroscope.event.DeadLetterForwarder;
import dev.spectroscope.event.EventDecoder;
import org.apache.kafka.common.header.Header;
import java.util.Locale;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Groups SgldChain events by (run, step) and emits the step's LlcEstimate (and DosEstimate) when all its
 * chains — chainCount × temperatureCount, as each chain's sampler settings say — have arrived, or when
 * {@code wait} has passed since the first one (then flagged partial). A chain repeated (same run, step,
 * temperature and chain) replaces its copy, so redelivered chains are not counted twice; a chain for a
 * step already estimated is late and goes to the dead-letter sink.
 */
public final class ChainCollector implements Processor<String, SpecificRecord, String, SpecificRecord> {

    public static final String CHAINS_STORE = "sgld-chains";
    public static final String GROUPS_STORE = "sgld-chain-groups";
    public static final String DONE_STORE = "estimated-steps";

    private static final Logger LOG = LoggerFactory.getLogger(ChainCollector.class);
    private static final EventCodec<SgldChain> CODEC = EventCodec.of(SgldChain.class);

    private final String application;
    private final Duration wait;
    private final String estimatesSink;
    private final String deadLetterSink;
    private ProcessorContext<String, SpecificRecord> context;
    private KeyValueStore<String, byte[]> chains;
    private KeyValueStore<String, String> groups;
    private KeyValueStore<String, Long> done;
    /** The decoded chains of the steps still open, as this instance received them (not state: a cache). */
    private final Map<String, Map<String, SgldChain>> decoded = new HashMap<>();
    /** How many chains of each open step the store holds (a cache, like {@code decoded}). */
    private final Map<String, Integer> counts = new HashMap<>();

    public ChainCollector(String application, Duration wait, String estimatesSink, String deadLetterSink) {
        this.application = application;
        this.wait = wait;
        this.estimatesSink = estimatesSink;
        this.deadLetterSink = deadLetterSink;
    }

    @Override
    public void init(ProcessorContext<String, SpecificRecord> context) {
        this.context = context;
        this.chains = context.getStateStore(CHAINS_STORE);
        this.groups = context.getStateStore(GROUPS_STORE);
        this.done = context.getStateStore(DONE_STORE);
        // A task revived after an aborted transaction is initialised again with its stores rolled back: what
        // these caches remember from before may no longer be stored.
        decoded.clear();
        counts.clear();
        // Wall-clock time: a step whose last chains never come must still be estimated while nothing else flows.
        Duration every = Duration.ofMillis(Math.max(100, Math.min(1000, wait.toMillis() / 4)));
        context.schedule(every, PunctuationType.WALL_CLOCK_TIME, this::emitOverdue);
    }

    @Override
    public void process(Record<String, SpecificRecord> record) {
        if (!(record.value() instanceof SgldChain chain)) {
            return; // concept probes share the topic; the run monitor takes them
        }
        String problem = validate(chain);
        if (problem != null) {
            deadLetter(record, chain, DeadLetters.INVALID_VALUE, problem);
            return;
        }
        String group = groupKey(chain.getRunId(), chain.getStep());
        // A step this instance already counts is open: neither estimated nor without its wait's start, so the
        // stores need not be asked (four store reads per chain were a fifth of the stream thread's time).
        Integer known = counts.get(group);
        if (known == null && done.get(group) != null) {
            deadLetter(record, chain, DeadLetters.LATE, String.format(Locale.ROOT, "chain %d at temperature %d of run %s "
                    + "step %d arrived after the step's estimate was emitted (raise the estimator's chain wait if "
                    + "sampling is slow)", chain.getChainIndex(), chain.getTemperatureIndex(), chain.getRunId(),
                    chain.getStep()));
            return;
        }
        int expected = chain.getSampler().getChainCount() * chain.getSampler().getTemperatureCount();
        String key = chainKey(group, chain.getTemperatureIndex(), chain.getChainIndex());
        if (known == null && groups.get(group) == null) {
            groups.put(group, Long.toString(context.currentSystemTimeMs())); // when the step's wait began
        }
        Header raw = record.headers().lastHeader(EventDecoder.RAW_HEADER);
        Map<String, SgldChain> seen = decoded.computeIfAbsent(group, g -> new HashMap<>());
        // A redelivered chain replaces its copy and counts once. While every stored chain of the step is one this
        // instance decoded (not so for a step begun before a restart), memory says whether this one is stored.
        boolean repeated = known != null && known == seen.size() ? seen.containsKey(key) : chains.get(key) != null;
        chains.put(key, raw != null ? raw.value() : CODEC.encode(chain));
        seen.put(key, chain);
        // Counted once from the store when this task first sees the step (its chains may predate a restart).
        int count = known == null ? storedChains(group) : repeated ? known : known + 1;
        counts.put(group, count);
        if (count >= expected) {
            emit(group, false, record.timestamp());
        }
    }

    private int storedChains(String group) {
        int count = 0;
        try (KeyValueIterator<String, byte[]> it = chains.prefixScan(group + '\u0000', Serdes.String().serializer())) {
            while (it.hasNext()) {
                it.next();
                count++;
            }
        }
        return count;
    }

    private void emitOverdue(long now) {
        List<String> overdue = new ArrayList<>();
        try (KeyValueIterator<String, String> it = groups.all()) {
            while (it.hasNext()) {
                KeyValue<String, String> entry = it.next();
                if (now - Long.parseLong(entry.value) >= wait.toMillis()) {
                    overdue.add(entry.key);
                }
            }
        }
        for (String group : overdue) {
            LOG.info("estimating {} from the chains that arrived within {} s", group.replace('\u0000', '@'),
                    wait.toSeconds());
            emit(group, true, now);
        }
    }

    private void emit(String group, boolean partial, long timestamp) {
        List<SgldChain> arrived = new ArrayList<>();
        List<String> keys = new ArrayList<>();
        Map<String, SgldChain> known = decoded.remove(group);
        counts.remove(group);
        try (KeyValueIterator<String, byte[]> it = chains.prefixScan(group + '\u0000', Serdes.String().serializer())) {
            while (it.hasNext()) {
                KeyValue<String, byte[]> entry = it.next();
                keys.add(entry.key);
                // Chains seen by this instance are at hand; after a restart they are read back from the store.
                SgldChain chain = known == null ? null : known.get(entry.key);
                arrived.add(chain != null ? chain : CODEC.decode(CHAINS_STORE, entry.value));
            }
        }
        keys.forEach(chains::delete);
        groups.delete(group);
        done.put(group, timestamp);
        if (arrived.isEmpty()) {
            // Should not happen (a step is only due once a chain of it is stored); say so rather than lose it quietly.
            LOG.warn("{} was due but none of its chains is stored; no estimate for it", group.replace('\u0000', '@'));
            return;
        }
        String runId = arrived.get(0).getRunId();
        try {
            ChainEstimates.Estimates estimates = ChainEstimates.of(arrived, partial, Instant.ofEpochMilli(timestamp));
            context.forward(new Record<>(runId, estimates.llc(), timestamp), estimatesSink);
            estimates.dos().ifPresent(dos -> context.forward(new Record<>(runId, dos, timestamp), estimatesSink));
        } catch (RuntimeException e) {
            // The mathematics refused these chains (e.g. all diverged); the evidence goes to the dead letters.
            SgldChain first = arrived.get(0);
            context.forward(new Record<String, SpecificRecord>(runId, DeadLetters.of(application, CHAINS_STORE, -1, -1,
                    null, CODEC.encode(first), runId, DeadLetters.PROCESSING_FAILED, "cannot estimate run " + runId
                            + " step " + first.getStep() + " from " + arrived.size() + " chains: " + e.getMessage()),
                    timestamp), deadLetterSink);
        }
    }

    /** Null when the chain can be used, else what is wrong with it. */
    static String validate(SgldChain c) {
        String where = "SgldChain of run " + c.getRunId() + " step " + c.getStep() + " chain " + c.getChainIndex()
                + " temperature " + c.getTemperatureIndex();
        if (c.getStep() < 0) {
            return where + ": negative step";
        }
        if (!Double.isFinite(c.getCenterLoss())) {
            return where + ": the centre loss is " + c.getCenterLoss() + "; the checkpoint itself has no finite loss";
        }
        var s = c.getSampler();
        if (s.getChainCount() < 1 || s.getTemperatureCount() < 1 || c.getChainIndex() < 0
                || c.getChainIndex() >= s.getChainCount() || c.getTemperatureIndex() < 0
                || c.getTemperatureIndex() >= s.getTemperatureCount()) {
            return where + ": indices outside the sampler's " + s.getChainCount() + " chains × "
                    + s.getTemperatureCount() + " temperatures";
        }
        if (!(s.getNBeta() > 0) || !Double.isFinite(s.getNBeta())) {
            return where + ": nBeta is " + s.getNBeta();
        }
        if (!c.getDiverged()) {
            if (c.getLosses().isEmpty()) {
                return where + ": no draws, yet not marked diverged";
            }
            for (double loss : c.getLosses()) {
                if (!Double.isFinite(loss)) {
                    return where + ": a draw's loss is " + loss + " but the chain is not marked diverged";
                }
            }
        }
        return null;
    }

    private void deadLetter(Record<String, SpecificRecord> record, SgldChain chain, String type, String reason) {
        DeadLetterForwarder.forward(context, deadLetterSink, application, record, null, () -> CODEC.encode(chain),
                chain.getRunId(), type, reason);
    }

    static String groupKey(String runId, long step) {
        return runId + '\u0000' + padded(step, 19);
    }

    private static String chainKey(String group, int temperature, int chain) {
        return group + '\u0000' + padded(temperature, 4) + '\u0000' + padded(chain, 6);
    }

    /** Zero-padded, so that the store's byte order is numeric order. */
    private static String padded(long value, int width) {
        String digits = Long.toString(value);
        return "0".repeat(Math.max(0, width - digits.length())) + digits;
    }
}
