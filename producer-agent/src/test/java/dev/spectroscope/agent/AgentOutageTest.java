package dev.spectroscope.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spectroscope.topics.TopicCatalogue;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.util.concurrent.TimeUnit;
import dev.spectroscope.events.RunStatus;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The broker goes away for 30 seconds in the middle of a run and comes back on the same data dir: the
 * training loop does not stall, and afterwards every event is in Kafka exactly once and in order.
 */
class AgentOutageTest {

    @TempDir
    Path work;

    /**
     * The broker runs in a process of its own, as Kafka does for a real job: stopping and starting it inside
     * the test's JVM would pause the training thread with the broker's garbage collections and bill the agent.
     */
    private static final class BrokerProcess {
        private final int port;
        private final Path dataDir;
        private final Path log;
        private Process process;

        BrokerProcess(Path dataDir) throws IOException {
            try (ServerSocket socket = new ServerSocket(0)) {
                this.port = socket.getLocalPort();
            }
            this.dataDir = dataDir;
            this.log = dataDir.resolveSibling("broker.log");
        }

        String bootstrapServers() {
            return "127.0.0.1:" + port;
        }

        void start() throws Exception {
            Files.deleteIfExists(log);
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            process = new ProcessBuilder(java, "-Xmx512m", "-cp", System.getProperty("java.class.path"),
                    "dev.spectroscope.broker.StandaloneBroker", Integer.toString(port), dataDir.toString())
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (System.nanoTime() < deadline) {
                if (Files.exists(log) && Files.readString(log).contains("ready ")) {
                    return;
                }
                if (!process.isAlive()) {
                    break;
                }
                Thread.sleep(100);
            }
            throw new AssertionError("broker did not start:\n" + (Files.exists(log) ? Files.readString(log) : ""));
        }

        void stop() throws InterruptedException {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        }
    }

    @Test
    void trainingDoesNotStallAndNothingIsLostWhileTheBrokerIsAway() throws Exception {
        BrokerProcess kafka = new BrokerProcess(work.resolve("kafka"));
        kafka.start();
        AgentConfig config = AgentConfig.defaults().withBootstrapServers(kafka.bootstrapServers())
                .withSpillDir(work.resolve("spill")).withBlobDir(work.resolve("blobs"));
        // Steps of about 20 ms, a realistic training step: a stall on Kafka would last seconds, while the
        // scheduling noise of a 2-core machine restarting a broker beside the job stays within a few tens of ms.
        int steps = 2_200;
        long[] stepNanos = new long[steps];
        String runId;
        try (SpectroscopeAgent agent = SpectroscopeAgent.start(config)) {
            Run run = agent.startRun(RunSpec.named("outage").trainingSetSize(1000));
            runId = run.id();
            Thread outage = new Thread(() -> {
                try {
                    Thread.sleep(3_000);
                    kafka.stop();
                    Thread.sleep(30_000);
                    kafka.start();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }, "outage");
            outage.start();
            double sink = 0;
            for (int step = 0; step < steps; step++) {
                long t0 = System.nanoTime();
                sink += work(); // a training step's worth of arithmetic, about 20 ms
                run.metrics(step, 1.0 / (1 + step));
                if (step % 20 == 19) {
                    run.checkpoint(step, new float[2000]);
                }
                stepNanos[step] = System.nanoTime() - t0;
            }
            run.finish(RunStatus.FINISHED);
            outage.join();
            assertTrue(sink != 0);
            assertTrue(agent.flush(Duration.ofSeconds(90)), "the backlog did not drain after the broker returned");
        }
        long[] sorted = stepNanos.clone();
        Arrays.sort(sorted);
        long median = sorted[steps / 2];
        long worst = sorted[steps - 1];
        assertTrue(worst <= 10 * median, "slowest step " + worst / 1e6 + " ms against a median of " + median / 1e6
                + " ms");
        int expected = 2 + steps + steps / 20;
        Map<String, List<SpecificRecord>> events;
        try {
            events = RunEvents.read(kafka.bootstrapServers(), new TopicCatalogue(), runId, expected);
        } finally {
            kafka.stop();
        }
        assertEquals(2, events.get("spectroscope.runs").size());
        AgentDeliveryTest.assertOnceAndInOrder(events.get("spectroscope.metrics"), steps);
        AgentDeliveryTest.assertOnceAndInOrder(events.get("spectroscope.checkpoints"), steps / 20);
    }

    /** Deterministic arithmetic standing in for a training step. */
    private static double work() {
        double x = 0;
        for (int i = 1; i < 6_000_000; i++) {
            x += Math.sqrt(i) * 1e-9;
        }
        return x;
    }
}
