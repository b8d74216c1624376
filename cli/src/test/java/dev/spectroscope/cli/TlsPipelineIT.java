package dev.spectroscope.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spectroscope.agent.AgentConfig;
import dev.spectroscope.agent.SpectroscopeAgent;
import dev.spectroscope.archive.RunArchive;
import dev.spectroscope.broker.BrokerSettings;
import dev.spectroscope.broker.EmbeddedKafkaBroker;
import dev.spectroscope.events.LlcEstimate;
import dev.spectroscope.examples.TmsExample;
import dev.spectroscope.examples.TrainResult;
import dev.spectroscope.examples.TrainSettings;
import dev.spectroscope.probe.ProbeWorker;
import dev.spectroscope.probe.ProbeWorkerSettings;
import dev.spectroscope.process.ProcessorApp;
import dev.spectroscope.process.ProcessorSettings;
import dev.spectroscope.sink.SinksApp;
import dev.spectroscope.sink.SinksSettings;
import dev.spectroscope.topics.TopicScan;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run through the whole pipeline over TLS: the broker gets a TLS listener with a key and certificate made
 * here by the JDK's keytool; agent, probe worker, processor and sinks connect to it with nothing but Kafka
 * client properties passed through; a plaintext client at the TLS port gets nowhere.
 */
class TlsPipelineIT {

    private static final String PASSWORD = "test-only-" + Long.toHexString(System.nanoTime());

    @TempDir
    Path work;

    @Test
    void aRunGoesThroughThePipelineOverTls() throws Exception {
        Path keystore = work.resolve("broker.p12");
        Path truststore = work.resolve("clients-trust.p12");
        keytool("-genkeypair", "-alias", "broker", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
                "-dname", "CN=localhost", "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-keystore", keystore.toString(),
                "-storetype", "PKCS12", "-storepass", PASSWORD, "-keypass", PASSWORD);
        keytool("-exportcert", "-alias", "broker", "-keystore", keystore.toString(), "-storepass", PASSWORD, "-rfc",
                "-file", work.resolve("broker.pem").toString());
        keytool("-importcert", "-noprompt", "-alias", "broker", "-file", work.resolve("broker.pem").toString(),
                "-keystore", truststore.toString(), "-storetype", "PKCS12", "-storepass", PASSWORD);

        int[] ports = freePorts(3);
        String tls = "127.0.0.1:" + ports[2];
        BrokerSettings settings = new BrokerSettings("127.0.0.1", ports[0], ports[1], work.resolve("kafka"), 1,
                "spectroscope.", 3).withServerProperties(Map.of(
                "listeners", "PLAINTEXT://127.0.0.1:" + ports[0] + ",CONTROLLER://127.0.0.1:" + ports[1]
                        + ",SSL://" + tls,
                "advertised.listeners", "PLAINTEXT://127.0.0.1:" + ports[0] + ",SSL://" + tls,
                "listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,SSL:SSL",
                "ssl.keystore.location", keystore.toString(),
                "ssl.keystore.password", PASSWORD,
                "ssl.keystore.type", "PKCS12",
                "ssl.key.password", PASSWORD));
        Map<String, String> client = Map.of(
                "security.protocol", "SSL",
                "ssl.truststore.location", truststore.toString(),
                "ssl.truststore.password", PASSWORD,
                "ssl.truststore.type", "PKCS12");

        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(settings)) {
            // Without TLS, the TLS listener answers nothing a Kafka client can use.
            try (Admin plain = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, tls,
                    AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 3000, AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG,
                    2000))) {
                assertThrows(ExecutionException.class, () -> plain.describeCluster().nodes().get(10, TimeUnit.SECONDS));
            }
            // With TLS but without the broker's certificate in its truststore, the handshake is refused.
            try (Admin untrusting = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, tls,
                    "security.protocol", "SSL", AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 3000,
                    AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2000))) {
                ExecutionException refused = assertThrows(ExecutionException.class,
                        () -> untrusting.describeCluster().nodes().get(10, TimeUnit.SECONDS));
                assertTrue(refused.getCause() instanceof org.apache.kafka.common.errors.SslAuthenticationException,
                        "refused at the TLS handshake: " + refused.getCause());
            }
            Path blobs = work.resolve("blobs");
            TrainResult trained;
            try (ProcessorApp processor = ProcessorApp.start(ProcessorSettings.defaults(tls)
                    .withStateDir(work.resolve("streams")).withHttpPort(-1).withApplicationId("tls-it").withKafka(client));
                 ProbeWorker worker = ProbeWorker.start(new ProbeWorkerSettings(tls, "tls-it-probe", "spectroscope.", 1,
                         blobs, Duration.ofSeconds(10), client));
                 SinksApp sinks = SinksApp.start(SinksSettings.defaults(tls).withSinks(false, true, false, false)
                         .withHttpPort(-1).withDirs(work.resolve("sinks"), work.resolve("archive"))
                         .withGroupPrefix("tls-it").withKafka(client), new PrintStream(new ByteArrayOutputStream()))) {
                try (SpectroscopeAgent agent = SpectroscopeAgent.start(AgentConfig.defaults().withBootstrapServers(tls)
                        .withProducerProperties(client).withSpillDir(work.resolve("spill")).withBlobDir(blobs))) {
                    trained = TmsExample.train(agent, new TrainSettings(500, 1, "tls-run", 10, 100));
                }
                List<LlcEstimate> estimates = awaitEstimates(tls, client, trained.runId(), 5);
                assertEquals(5, estimates.size(), "one LlcEstimate per checkpoint, over TLS: " + estimates);
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (!new RunArchive(work.resolve("archive")).has(trained.runId()) && System.nanoTime() < deadline) {
                    Thread.sleep(200);
                }
                assertTrue(new RunArchive(work.resolve("archive")).events(trained.runId()).size() >= 50 + 5 + 2,
                        "the sinks archived the run over TLS");
            }
        }
    }

    private static List<LlcEstimate> awaitEstimates(String bootstrap, Map<String, String> client, String runId,
                                                    int expected) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        List<LlcEstimate> found = new ArrayList<>();
        while (System.nanoTime() < deadline) {
            found.clear();
            for (SpecificRecord r : TopicScan.readEvents(bootstrap, client, "spectroscope.estimates",
                    Duration.ofSeconds(30))) {
                if (r instanceof LlcEstimate e && e.getRunId().equals(runId)) {
                    found.add(e);
                }
            }
            if (found.size() >= expected) {
                break;
            }
            Thread.sleep(500);
        }
        return found;
    }

    private static void keytool(String... args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, "keytool " + args[0] + ": " + out);
    }

    private static int[] freePorts(int n) throws Exception {
        List<ServerSocket> sockets = new ArrayList<>();
        try {
            int[] ports = new int[n];
            for (int i = 0; i < n; i++) {
                ServerSocket s = new ServerSocket(0);
                sockets.add(s);
                ports[i] = s.getLocalPort();
            }
            return ports;
        } finally {
            for (ServerSocket s : sockets) {
                s.close();
            }
        }
    }
}
