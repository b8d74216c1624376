package dev.spectroscope.agent.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spectroscope.agent.AgentConfig;
import dev.spectroscope.agent.Run;
import dev.spectroscope.agent.RunSpec;
import dev.spectroscope.agent.SpectroscopeAgent;
import dev.spectroscope.agent.metrics.AgentMetrics;
import dev.spectroscope.broker.EmbeddedKafkaExtension;
import dev.spectroscope.events.ProbeConfig;
import dev.spectroscope.events.RunStatus;
import dev.spectroscope.events.SgldChain;
import dev.spectroscope.slt.model.LossModel;
import dev.spectroscope.slt.reference.ToyModelOfSuperposition;
import dev.spectroscope.slt.sampler.SgldSampler;
import dev.spectroscope.topics.TopicScan;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

class InJobProberTest {

    @RegisterExtension
    static final EmbeddedKafkaExtension KAFKA = new EmbeddedKafkaExtension();

    @TempDir
    Path work;

    static final ProbeConfig CONFIG = ProbeConfig.newBuilder().setAlgorithm("rmsprop-sgld").setEpsilon(1e-4)
            .setGamma(1).setNBeta(100).setLadder(List.of(2.0, 1.0)).setChains(2).setDraws(100).setBurnIn(50)
            .setBatchSize(50).setSeed(7).build();

    static ToyModelOfSuperposition tms(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] data = new float[500 * 6];
        for (int i = 0; i < 500; i++) {
            data[i * 6 + random.nextInt(6)] = (float) random.nextDouble();
        }
        double[] center = new double[ToyModelOfSuperposition.parameterCount(6, 2)];
        for (int i = 0; i < center.length; i++) {
            center[i] = 0.3 * random.nextGaussian();
        }
        return new ToyModelOfSuperposition(6, 2, data, center);
    }

    @Test
    void chainsSampledInTheJobReachKafkaAsTheProbeWorkerWouldSampleThem() throws Exception {
        String runId;
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (SpectroscopeAgent agent = SpectroscopeAgent.start(AgentConfig.defaults()
                .withBootstrapServers(KAFKA.bootstrapServers()).withSpillDir(work.resolve("spill"))
                .withBlobDir(work.resolve("blobs")))) {
            new AgentMetrics(agent).bindTo(registry);
            Run run = agent.startRun(RunSpec.named("in-job").model("tms", java.util.Map.of(), 18).probe(CONFIG));
            runId = run.id();
            try (InJobProber prober = new InJobProber(run, CONFIG, 1)) {
                assertTrue(prober.probe(99, tms(1)));
                prober.awaitIdle(2, TimeUnit.MINUTES);
                assertEquals(1, prober.probedCount());
            }
            run.finish(RunStatus.FINISHED);
        }
        List<SgldChain> sent = TopicScan.readEvents(KAFKA.bootstrapServers(), "spectroscope.chains",
                Duration.ofSeconds(30)).stream().filter(SgldChain.class::isInstance).map(SgldChain.class::cast)
                .filter(c -> c.getRunId().equals(runId)).sorted(Comparator.comparing(SgldChain::getEventId)).toList();
        List<SgldChain> direct = ChainProbe.sample(new SgldSampler(1), runId, 99, CONFIG, tms(1), "agent").stream()
                .sorted(Comparator.comparing(SgldChain::getEventId)).toList();
        assertEquals(4, sent.size(), "2 chains × 2 temperatures");
        for (int i = 0; i < direct.size(); i++) {
            SgldChain a = sent.get(i);
            SgldChain b = direct.get(i);
            assertEquals(b.getEventId(), a.getEventId(), "ids derive from run, step, chain and temperature");
            assertEquals("agent", a.getSource());
            assertEquals(b.getLosses(), a.getLosses(), "the same draws, bit for bit");
            assertEquals(b.getSampler(), a.getSampler());
            assertEquals(2, a.getSampler().getTemperatureCount());
        }
        assertEquals(1.0, sent.stream().filter(c -> c.getTemperatureIndex() == 0).findFirst().orElseThrow()
                .getSampler().getNBeta() / CONFIG.getNBeta(), 0.0, "the reference rung (×1) is temperature 0");
        assertTrue(registry.get("spectroscope.agent.events").tag("stage", "sent").functionCounter().count() >= 6,
                "RunStarted, 4 chains and RunEnded are counted as sent");
        assertEquals(0.0, registry.get("spectroscope.agent.errors").tag("kind", "metrics").functionCounter().count());
    }

    @Test
    void theTrainingThreadNeverWaitsForTheProber() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch entered = new CountDownLatch(1);
        LossModel base = tms(2);
        LossModel blocking = new LossModel() {
            public int dimension() {
                return base.dimension();
            }

            public int sampleCount() {
                return base.sampleCount();
            }

            public double[] center() {
                return base.center();
            }

            public Evaluator newEvaluator() {
                entered.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return base.newEvaluator();
            }

            public String describe() {
                return "a model whose sampling waits for the test";
            }
        };
        try (SpectroscopeAgent agent = SpectroscopeAgent.start(AgentConfig.defaults().withSpillDir(work.resolve("s2"))
                .withBlobDir(work.resolve("b2")))) {
            Run run = agent.startRun(RunSpec.named("busy").model("tms", java.util.Map.of(), 18));
            try (InJobProber prober = new InJobProber(run, CONFIG, 1)) {
                assertTrue(prober.probe(1, blocking), "the first probe starts");
                assertTrue(entered.await(30, TimeUnit.SECONDS));
                assertTrue(prober.probe(2, tms(3)), "one more may wait");
                assertFalse(prober.probe(3, tms(4)), "a third is skipped, not waited for");
                assertEquals(1, prober.skippedCount());
                release.countDown();
                prober.awaitIdle(2, TimeUnit.MINUTES);
                assertEquals(2, prober.probedCount());
            }
            run.finish(RunStatus.FINISHED);
        }
    }
}
