package dev.spectroscope.agent;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's own counters: what it accepted, wrote, sent and dropped, and the errors it swallowed so
 * that they never reach the training loop. Each kind of error is logged once, with its count kept here.
 */
public final class AgentStats {

    private static final Logger LOG = LoggerFactory.getLogger(AgentStats.class);

    private final LongAdder accepted = new LongAdder();
    private final LongAdder written = new LongAdder();
    private final LongAdder sent = new LongAdder();
    private final Map<String, LongAdder> dropped = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> errors = new ConcurrentHashMap<>();
    private final Set<String> logged = ConcurrentHashMap.newKeySet();

    void accepted() {
        accepted.increment();
    }

    void written() {
        written.increment();
    }

    void sent() {
        sent.increment();
    }

    void dropped(String eventType, String why) {
        dropped.computeIfAbsent(eventType, k -> new LongAdder()).increment();
        if (logged.add("drop:" + eventType)) {
            LOG.warn("Dropping {} events: {} (counted, and reported in RunEnded)", eventType, why);
        }
    }

    void error(String kind, Throwable t) {
        errors.computeIfAbsent(kind, k -> new LongAdder()).increment();
        if (logged.add("error:" + kind)) {
            LOG.warn("Agent error ({}): {}; training goes on, further errors of this kind are only counted", kind,
                    t.getMessage() == null ? t.toString() : t.getMessage());
        }
    }

    /** Errors of one kind so far; kinds ending in '*' sum every kind with that prefix. */
    public long errorCount(String kind) {
        if (kind.endsWith("*")) {
            String prefix = kind.substring(0, kind.length() - 1);
            return errors.entrySet().stream().filter(e -> e.getKey().startsWith(prefix))
                    .mapToLong(e -> e.getValue().sum()).sum();
        }
        LongAdder n = errors.get(kind);
        return n == null ? 0 : n.sum();
    }

    /** Events of one type dropped so far. */
    public long droppedCount(String eventType) {
        LongAdder n = dropped.get(eventType);
        return n == null ? 0 : n.sum();
    }

    public long acceptedCount() {
        return accepted.sum();
    }

    public long writtenCount() {
        return written.sum();
    }

    public long sentCount() {
        return sent.sum();
    }

    /** Dropped events by type. */
    public Map<String, Long> droppedCounts() {
        Map<String, Long> out = new TreeMap<>();
        dropped.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }

    /** Swallowed errors by kind. */
    public Map<String, Long> errorCounts() {
        Map<String, Long> out = new TreeMap<>();
        errors.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }
}
