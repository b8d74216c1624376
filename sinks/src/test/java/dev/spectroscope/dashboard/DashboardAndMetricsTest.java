package dev.spectroscope.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.spectroscope.broker.EmbeddedKafkaExtension;
import dev.spectroscope.events.Alert;
import dev.spectroscope.events.ConceptProbe;
import dev.spectroscope.events.DosEstimate;
import dev.spectroscope.events.LlcEstimate;
import dev.spectroscope.events.PhaseTransition;
import dev.spectroscope.events.RunStarted;
import dev.spectroscope.events.Severity;
import dev.spectroscope.events.TrainingMetrics;
import dev.spectroscope.sink.SinksApp;
import dev.spectroscope.sink.SinksSettings;
import dev.spectroscope.topics.Topic;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 6, points 2 and 5: while a run streams through a real broker into the sink app, {@code /metrics} parses
 * with Prometheus' own text-format parser (the Python client's, from Debian) and carries the run's gauges, and
 * the dashboard in a real headless Chromium gains points and shows the transition marker on every chart.
 *
 * <p>The tools are installed by {@code .ci/run}; where they are missing the tests skip, unless
 * {@code SPECTROSCOPE_REQUIRE_TOOLS=1} (set by CI) turns the skip into a failure.
 */
class DashboardAndMetricsTest {

    @RegisterExtension
    static final EmbeddedKafkaExtension KAFKA = new EmbeddedKafkaExtension();

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static SinksApp app;
    private static KafkaProducer<String, byte[]> producer;
    private static Path state;

    @BeforeAll
    static void start() throws IOException {
        state = Files.createTempDirectory("spectroscope-sinks-test");
        SinksSettings settings = SinksSettings.defaults(KAFKA.bootstrapServers()).withHttpPort(0)
                .withSinks(false, false, true, true).withDirs(state.resolve("state"), state.resolve("archive"))
                .withGroupPrefix("dash-test");
        app = SinksApp.start(settings, new PrintStream(new ByteArrayOutputStream()));
        producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers(),
                ProducerConfig.LINGER_MS_CONFIG, 0), new StringSerializer(), new ByteArraySerializer());
    }

    @AfterAll
    static void stop() {
        producer.close();
        app.close();
    }

    static void requireTool(boolean present, String what) {
        if (!present && "1".equals(System.getenv("SPECTROSCOPE_REQUIRE_TOOLS"))) {
            throw new AssertionError(what + " is required here (SPECTROSCOPE_REQUIRE_TOOLS=1); .ci/run installs it");
        }
        Assumptions.assumeTrue(present, what + " is not installed; apt-get install it to run this test");
    }

    @Test
    void metricsParseWithPrometheusOwnParserAndFollowTheRun() throws Exception {
        Optional<String> python = python();
        requireTool(python.isPresent(), "python3-prometheus-client (Debian)");
        String run = "metrics-run";
        send(started(run));
        for (long s = 0; s < 50; s++) {
            send(metrics(run, s, 1.0 / (s + 1)));
        }
        send(llc(run, 49, 2.5, 0.25));
        send(dos(run, 49, 2.7, 1.4));
        Map<String, Double> first = awaitSamples(python.get(), run, Map.of("spectroscope_run_step", 49.0,
                "spectroscope_run_dos_lambda", 2.7));
        assertEquals(2.5, first.get("spectroscope_run_llc"), 1e-12);
        assertEquals(0.25, first.get("spectroscope_run_llc_sd"), 1e-12);
        assertEquals(0.02, first.get("spectroscope_run_loss"), 1e-12);
        assertEquals(2.7, first.get("spectroscope_run_dos_lambda"), 1e-12);
        assertEquals(1.4, first.get("spectroscope_run_dos_multiplicity"), 1e-12);
        assertEquals(0.0, first.get("spectroscope_run_transitions_total"), 0.0);

        for (long s = 50; s < 100; s++) {
            send(metrics(run, s, 0.5 / (s + 1)));
        }
        send(llc(run, 99, 4.0, 0.3));
        send(transition(run, 60, 90));
        // Topics are read independently: wait for all three to show the run's progress.
        Map<String, Double> later = awaitSamples(python.get(), run, Map.of("spectroscope_run_step", 99.0,
                "spectroscope_run_llc", 4.0, "spectroscope_run_transitions_total", 1.0));
        assertEquals(4.0, later.get("spectroscope_run_llc"), 1e-12);
        assertEquals(1.0, later.get("spectroscope_run_transitions_total"), 0.0);
        // The sink app's own health: Kafka client metrics and the JVM's, in the same scrape.
        String text = scrape();
        assertTrue(text.contains("kafka_consumer_"), "Kafka client metrics are exported");
        assertTrue(text.contains("jvm_memory_used_bytes"), "JVM metrics are exported");
    }

    @Test
    void theDashboardGainsPointsAndShowsTheTransitionWhileARunStreams() throws Exception {
        Optional<Path> chromium = HeadlessChromium.binary();
        requireTool(chromium.isPresent(), "chromium (Debian)");
        String run = "browser-run";
        send(started(run));
        for (long s = 0; s < 20; s++) {
            send(metrics(run, s, 1.0 / (s + 1)));
        }
        send(llc(run, 19, 1.0, 0.1));
        try (HeadlessChromium browser = new HeadlessChromium(chromium.get(), 1400, 1100)) {
            browser.navigate("http://127.0.0.1:" + app.httpPort() + "/#run=" + run);
            assertTrue(browser.waitFor("window.spectroscope && spectroscope.state().runId === '" + run
                    + "' && spectroscope.state().points.loss >= 20", Duration.ofSeconds(30)), "the page shows the run: "
                    + state(browser) + " errors " + browser.errors());
            JsonNode before = state(browser);
            assertEquals(0, before.get("markers").get("llc").asInt(), "no transition yet");

            // The run goes on: more loss points, two more estimates, a concept probe, then a transition.
            for (long s = 20; s < 60; s++) {
                send(metrics(run, s, 0.5 / (s + 1)));
            }
            send(llc(run, 39, 1.5, 0.1));
            send(llc(run, 59, 3.0, 0.2));
            send(dos(run, 59, 3.1, 1.0));
            send(concept(run, 59, "feature-0", 0.2));
            send(transition(run, 30, 50));
            send(alert(run, 50));
            assertTrue(browser.waitFor("spectroscope.state().points.loss >= 60 && spectroscope.state().points.llc >= 3"
                    + " && Object.values(spectroscope.state().markers).every(n => n >= 1)", Duration.ofSeconds(30)),
                    "new points and the transition marker on every chart, without a reload: " + state(browser));
            assertTrue(browser.evaluate("document.querySelector('#transitions tbody').textContent").asText()
                    .contains("30–50"), "the transition is listed");
            // Alerts come on their own topic, read independently of the ones the markers wait for.
            assertTrue(browser.waitFor("document.getElementById('alerts').textContent.includes('phase transition')",
                    Duration.ofSeconds(30)), "the alert is listed: "
                    + browser.evaluate("document.getElementById('alerts').textContent").asText());
            assertEquals(List.of(), browser.errors(), "the page threw no errors");
            Files.write(Path.of("target", "dashboard-test.png"), browser.screenshot());
        }
    }

    private static JsonNode state(HeadlessChromium browser) {
        try {
            return JSON.readTree(browser.evaluate("JSON.stringify(window.spectroscope.state())").asText());
        } catch (IOException | RuntimeException e) {
            return JSON.createObjectNode().put("error", e.getMessage());
        }
    }

    private static Optional<String> python() throws InterruptedException {
        for (String candidate : List.of("/usr/bin/python3", "python3")) {
            try {
                Process p = new ProcessBuilder(candidate, "-c", "import prometheus_client.parser").redirectErrorStream(true)
                        .start();
                if (p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0) {
                    return Optional.of(candidate);
                }
            } catch (IOException e) {
                // not this one
            }
        }
        return Optional.empty();
    }

    /** The run's samples, as Prometheus' own parser reads the scrape; fails on any line it cannot parse. */
    private static Map<String, Double> parse(String python, String runId) throws Exception {
        Path scrape = Files.createTempFile(state, "scrape", ".txt");
        Files.writeString(scrape, scrape());
        String program = """
                import json, sys
                from prometheus_client.parser import text_string_to_metric_families
                out = {}
                for family in text_string_to_metric_families(open(sys.argv[1]).read()):
                    for s in family.samples:
                        if s.labels.get('run_id') == sys.argv[2]:
                            out[s.name] = s.value
                print(json.dumps(out))
                """;
        Process p = new ProcessBuilder(python, "-c", program, scrape.toString(), runId).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0, "the parser rejects the scrape: " + output);
        Map<String, Double> samples = new java.util.TreeMap<>();
        JSON.readTree(output).fields().forEachRemaining(e -> samples.put(e.getKey(), e.getValue().asDouble()));
        return samples;
    }

    private static Map<String, Double> awaitSamples(String python, String runId, Map<String, Double> wanted)
            throws Exception {
        long deadline = System.nanoTime() + 30_000_000_000L;
        Map<String, Double> samples = Map.of();
        while (System.nanoTime() < deadline) {
            Map<String, Double> now = parse(python, runId);
            samples = now;
            if (wanted.entrySet().stream().allMatch(e -> e.getValue().equals(now.get(e.getKey())))) {
                return samples;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("no " + wanted + " for " + runId + " in /metrics: " + samples);
    }

    private static String scrape() throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.httpPort()
                + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode());
        return r.body();
    }

    @SuppressWarnings("unchecked")
    private static void send(SpecificRecord event) throws Exception {
        Topic<SpecificRecord> topic = (Topic<SpecificRecord>) KAFKA.catalogue().topicFor(event.getClass());
        String runId = event.get(event.getSchema().getField("runId").pos()).toString();
        producer.send(new ProducerRecord<>(topic.name(), runId, topic.valueSerde().serializer()
                .serialize(topic.name(), event))).get();
    }

    static RunStarted started(String run) {
        return RunStarted.newBuilder().setEventId(run + "-start").setRunId(run).setTimestamp(Instant.now())
                .setName(run).setModelFamily("tms").setModelSpec(Map.of()).setN(100).setParameterCount(18)
                .setHyperparameters(Map.of()).setConceptProbes(List.of("feature-0")).setTags(Map.of())
                .setAgentVersion("test").build();
    }

    static TrainingMetrics metrics(String run, long step, double loss) {
        return TrainingMetrics.newBuilder().setEventId(run + "-m" + step).setRunId(run).setStep(step)
                .setTimestamp(Instant.now()).setEpoch(0).setLoss(loss).setScalars(Map.of()).build();
    }

    static LlcEstimate llc(String run, long step, double mean, double sd) {
        return LlcEstimate.newBuilder().setEventId(run + "-llc" + step).setRunId(run).setStep(step)
                .setTimestamp(Instant.now()).setLlcMean(mean).setLlcStd(sd).setChainValues(List.of(mean))
                .setCenterLoss(0.1).setNBeta(20).setEpsilon(1e-4).setGamma(1).setChains(4).setDraws(100)
                .setPartial(false).setMeanTrace(List.of()).setDiagnostics(List.of()).build();
    }

    static DosEstimate dos(String run, long step, double lambda, double m) {
        return DosEstimate.newBuilder().setEventId(run + "-dos" + step).setRunId(run).setStep(step)
                .setTimestamp(Instant.now()).setLambda(lambda).setLambdaStderr(0.1).setMultiplicity(m)
                .setMultiplicityStderr(0.2).setLadderNBeta(List.of()).setLadderMeanEnergy(List.of())
                .setLogDensityT(List.of()).setLogDensity(List.of()).setLocalizationDominated(false)
                .setDiagnostics(List.of()).build();
    }

    static ConceptProbe concept(String run, long step, String probe, double score) {
        return ConceptProbe.newBuilder().setEventId(run + "-c" + step + probe).setRunId(run).setStep(step)
                .setTimestamp(Instant.now()).setProbe(probe).setScore(score).setMetric("mse").setHigherIsBetter(false)
                .build();
    }

    static PhaseTransition transition(String run, long start, long end) {
        return PhaseTransition.newBuilder().setEventId(run + "-t" + start).setRunId(run).setTimestamp(Instant.now())
                .setTransitionId(run + "/t" + start).setSignal("llc").setDetector("bocpd").setStartStep(start)
                .setEndStep(end).setDetectedAtStep(end).setDetectionDelaySteps(0).setLevelBefore(1.0)
                .setLevelAfter(3.0).setConfidence(0.9).setTopConcepts(List.of()).build();
    }

    static Alert alert(String run, long step) {
        return Alert.newBuilder().setEventId(run + "-a" + step).setRunId(run).setTimestamp(Instant.now())
                .setStep(step).setSeverity(Severity.INFO).setKind("phase-transition")
                .setTitle("Run " + run + ": phase transition at steps 30–50").setText("").setDedupKey(run + "/t30")
                .build();
    }
}
