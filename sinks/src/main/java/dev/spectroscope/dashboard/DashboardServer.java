package dev.spectroscope.dashboard;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sink app's HTTP server: the dashboard page and its chart library, the runs as JSON
 * ({@code /api/runs}, {@code /api/runs/{id}}), live updates as server-sent events ({@code /api/stream}),
 * Prometheus' {@code /metrics} and {@code /health}.
 */
public final class DashboardServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DashboardServer.class);
    private static final ObjectMapper JSON = JsonMapper.builder().build();
    private static final String PAGES = "dev/spectroscope/dashboard/";
    /** A viewer this far behind is dropped; its browser reconnects and reloads the run. */
    private static final int VIEWER_QUEUE = 10_000;

    private final HttpServer server;
    private final ExecutorService executor;
    private final RunBoard board;
    private final PrometheusMeterRegistry prometheus;
    private final BooleanSupplier ready;
    private final String echartsPath;
    private volatile boolean closing;

    /**
     * @param board      what the dashboard shows; null serves no dashboard
     * @param prometheus the registry {@code /metrics} scrapes; null serves no metrics
     * @param ready      whether the board has caught up with the topics (for {@code /health})
     */
    public DashboardServer(String bind, int port, RunBoard board, PrometheusMeterRegistry prometheus,
                           BooleanSupplier ready) throws IOException {
        this.board = board;
        this.prometheus = prometheus;
        this.ready = ready;
        this.echartsPath = "META-INF/resources/webjars/echarts/" + versions().getProperty("echarts.version")
                + "/dist/echarts.min.js";
        this.server = HttpServer.create(new InetSocketAddress(bind, port), 0);
        this.executor = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "dashboard-http");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        if (board != null) {
            server.createContext("/", this::page);
            server.createContext("/api/runs", this::runs);
            server.createContext("/api/stream", this::stream);
        }
        if (prometheus != null) {
            server.createContext("/metrics", this::metrics);
        }
        server.createContext("/health", this::health);
        server.start();
    }

    private static Properties versions() {
        Properties p = new Properties();
        try (InputStream in = DashboardServer.class.getClassLoader().getResourceAsStream(PAGES + "versions.properties")) {
            p.load(in);
        } catch (IOException | NullPointerException e) {
            throw new IllegalStateException("the sinks jar lacks " + PAGES + "versions.properties; rebuild it", e);
        }
        return p;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private void page(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        switch (path) {
            case "/", "/index.html" -> resource(exchange, PAGES + "index.html", "text/html; charset=utf-8");
            case "/dashboard.js" -> resource(exchange, PAGES + "dashboard.js", "text/javascript; charset=utf-8");
            case "/dashboard.css" -> resource(exchange, PAGES + "dashboard.css", "text/css; charset=utf-8");
            case "/lib/echarts.min.js" -> resource(exchange, echartsPath, "text/javascript; charset=utf-8");
            default -> respond(exchange, 404, "text/plain", ("nothing at " + path).getBytes(StandardCharsets.UTF_8));
        }
    }

    private void resource(HttpExchange exchange, String name, String type) throws IOException {
        try (InputStream in = getClass().getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                respond(exchange, 500, "text/plain", ("missing resource " + name).getBytes(StandardCharsets.UTF_8));
                return;
            }
            exchange.getResponseHeaders().set("Cache-Control", "no-cache");
            respond(exchange, 200, type, in.readAllBytes());
        }
    }

    private void runs(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getRawPath();
        if (path.equals("/api/runs") || path.equals("/api/runs/")) {
            json(exchange, 200, board.runs());
            return;
        }
        String id = URLDecoder.decode(path.substring("/api/runs/".length()), StandardCharsets.UTF_8);
        Map<String, Object> run = board.detail(id);
        if (run == null) {
            json(exchange, 404, Map.of("error", "no run '" + id + "'; GET /api/runs lists the runs"));
        } else {
            json(exchange, 200, run);
        }
    }

    /** Server-sent events: every board update as {@code event: <kind>} with a JSON body. */
    private void stream(HttpExchange exchange) throws IOException {
        BlockingQueue<RunBoard.Update> queue = new LinkedBlockingQueue<>(VIEWER_QUEUE);
        boolean[] overflow = {false};
        Consumer<RunBoard.Update> listener = u -> {
            if (!queue.offer(u)) {
                overflow[0] = true;
            }
        };
        exchange.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
        exchange.getResponseHeaders().set("Cache-Control", "no-cache");
        exchange.sendResponseHeaders(200, 0);
        board.addListener(listener);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write("retry: 1000\n: connected\n\n".getBytes(StandardCharsets.UTF_8));
            out.flush();
            while (!closing && !overflow[0]) {
                RunBoard.Update u = queue.poll(15, TimeUnit.SECONDS);
                if (u == null) {
                    out.write(": keep-alive\n\n".getBytes(StandardCharsets.UTF_8));
                } else {
                    StringBuilder chunk = new StringBuilder();
                    do {
                        chunk.append("event: ").append(u.kind()).append("\ndata: ")
                                .append(JSON.writeValueAsString(Map.of("runId", u.runId(), "data", u.data())))
                                .append("\n\n");
                        u = queue.poll();
                    } while (u != null && chunk.length() < 64_000);
                    out.write(chunk.toString().getBytes(StandardCharsets.UTF_8));
                }
                out.flush();
            }
        } catch (IOException e) {
            // the viewer went away
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            board.removeListener(listener);
        }
    }

    private void metrics(HttpExchange exchange) throws IOException {
        respond(exchange, 200, "text/plain; version=0.0.4; charset=utf-8",
                prometheus.scrape().getBytes(StandardCharsets.UTF_8));
    }

    private void health(HttpExchange exchange) throws IOException {
        boolean up = ready.getAsBoolean();
        json(exchange, up ? 200 : 503, Map.of("status", up ? "UP" : "CATCHING_UP"));
    }

    private static void json(HttpExchange exchange, int status, Object body) throws IOException {
        respond(exchange, status, "application/json", JSON.writeValueAsBytes(body));
    }

    private static void respond(HttpExchange exchange, int status, String type, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    @Override
    public void close() {
        closing = true;
        server.stop(0);
        executor.shutdownNow();
        LOG.debug("dashboard server stopped");
    }
}
