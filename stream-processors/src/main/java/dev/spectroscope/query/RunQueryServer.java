package dev.spectroscope.query;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.spectroscope.transition.ExcursionDetector;
import dev.spectroscope.transition.RunMonitor;
import dev.spectroscope.transition.RunState;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * The processor's query API over its {@code run-states} store: {@code GET /runs} (one summary per run) and
 * {@code GET /runs/{id}} (latest step, loss, λ̂ ± sd, DOS, open and past transitions, alerts now firing).
 * Each instance answers for the runs of its own partitions; {@code GET /health} says whether it is running.
 */
public final class RunQueryServer implements AutoCloseable {

    private static final ObjectMapper JSON = JsonMapper.builder().build();

    private final HttpServer server;
    private final Supplier<KafkaStreams> streams;

    public RunQueryServer(Supplier<KafkaStreams> streams, int port) throws IOException {
        this.streams = streams;
        this.server = HttpServer.create(new InetSocketAddress("0.0.0.0", port), 0);
        server.setExecutor(Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "query-http");
            t.setDaemon(true);
            return t;
        }));
        server.createContext("/runs", this::runs);
        server.createContext("/health", this::health);
        server.start();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private void health(HttpExchange exchange) throws IOException {
        KafkaStreams s = streams.get();
        KafkaStreams.State state = s == null ? KafkaStreams.State.NOT_RUNNING : s.state();
        boolean up = state == KafkaStreams.State.RUNNING || state == KafkaStreams.State.REBALANCING;
        respond(exchange, up ? 200 : 503, Map.of("state", state.name()));
    }

    private void runs(HttpExchange exchange) throws IOException {
        if (!"GET".equals(exchange.getRequestMethod())) {
            respond(exchange, 405, Map.of("error", "only GET is served here"));
            return;
        }
        String path = exchange.getRequestURI().getRawPath();
        ReadOnlyKeyValueStore<String, RunState> store;
        try {
            store = streams.get().store(StoreQueryParameters.fromNameAndType(RunMonitor.STORE,
                    QueryableStoreTypes.keyValueStore()));
        } catch (InvalidStateStoreException | NullPointerException e) {
            respond(exchange, 503, Map.of("error", "the processor is not running yet (rebalancing or restoring); "
                    + "retry in a few seconds"));
            return;
        }
        if (path.equals("/runs") || path.equals("/runs/")) {
            List<Map<String, Object>> out = new ArrayList<>();
            try (KeyValueIterator<String, RunState> it = store.all()) {
                while (it.hasNext()) {
                    KeyValue<String, RunState> entry = it.next();
                    out.add(summary(entry.value, false));
                }
            }
            respond(exchange, 200, out);
            return;
        }
        String id = URLDecoder.decode(path.substring("/runs/".length()), StandardCharsets.UTF_8);
        RunState state = store.get(id);
        if (state == null) {
            respond(exchange, 404, Map.of("error", "no run '" + id + "' on this instance; GET /runs lists the runs"));
            return;
        }
        respond(exchange, 200, summary(state, true));
    }

    /** A run as the API shows it; the detail adds transitions and firing alerts. */
    public static Map<String, Object> summary(RunState s, boolean detail) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("runId", s.runId);
        out.put("name", s.name);
        out.put("model", s.modelFamily);
        out.put("status", s.status);
        out.put("latestStep", s.latestStep);
        out.put("loss", number(s.latestLoss));
        Map<String, Object> llc = new LinkedHashMap<>();
        llc.put("step", s.lastLlcStep);
        llc.put("mean", number(s.llcMean));
        llc.put("std", number(s.llcStd));
        out.put("llc", llc);
        Map<String, Object> dos = new LinkedHashMap<>();
        dos.put("step", s.lastDosStep);
        dos.put("lambda", number(s.dosLambda));
        dos.put("lambdaStderr", number(s.dosLambdaStderr));
        dos.put("multiplicity", number(s.dosMultiplicity));
        dos.put("multiplicityStderr", number(s.dosMultiplicityStderr));
        out.put("dos", dos);
        out.put("transitionCount", s.transitions.size());
        if (detail) {
            List<Map<String, Object>> open = new ArrayList<>();
            for (Map.Entry<String, ExcursionDetector> e : s.excursions.entrySet()) {
                if (e.getValue().open) {
                    open.add(Map.of("signal", e.getKey(), "openedAtStep", e.getValue().openedAt,
                            "baseline", e.getValue().baseline));
                }
            }
            out.put("openTransitions", open);
            List<Map<String, Object>> past = new ArrayList<>();
            for (RunState.Transition t : s.transitions) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("transitionId", t.transitionId);
                m.put("signal", t.signal);
                m.put("signals", t.signals);
                m.put("startStep", t.startStep);
                m.put("endStep", t.endStep);
                m.put("detectedAtStep", t.detectedAtStep);
                m.put("levelBefore", number(t.levelBefore));
                m.put("levelAfter", number(t.levelAfter));
                m.put("confidence", number(t.confidence));
                m.put("topConcepts", t.topConcepts);
                past.add(m);
            }
            out.put("transitions", past);
            out.put("firingAlerts", List.copyOf(s.firing));
        }
        return out;
    }

    private static Object number(double v) {
        return Double.isFinite(v) ? v : null;
    }

    private static void respond(HttpExchange exchange, int status, Object body) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
