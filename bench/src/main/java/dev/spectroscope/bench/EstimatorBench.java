package dev.spectroscope.bench;

import dev.spectroscope.broker.BrokerSettings;
import dev.spectroscope.broker.EmbeddedKafkaBroker;
import dev.spectroscope.events.Alert;
import dev.spectroscope.events.ConceptProbe;
import dev.spectroscope.events.EventCodec;
import dev.spectroscope.events.EventTypes;
import dev.spectroscope.events.LlcEstimate;
import dev.spectroscope.events.RunStarted;
import dev.spectroscope.events.SamplerConfig;
import dev.spectroscope.events.SgldChain;
import dev.spectroscope.process.ProcessorApp;
import dev.spectroscope.process.ProcessorSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The processor on the embedded broker: SgldChain events per second through the estimator topology
 * (exactly-once, state stores changelogged), the latency from a checkpoint's last chain to its
 * LlcEstimate, and from a transition's closing evidence to its Alert (p50, p99).
 *
 * <p>{@code bench/run estimator [--chains N] [--draws D] [--samples S] [--streams key=value] [--thread-metrics]}
 */
public final class EstimatorBench {

    @SuppressWarnings("unchecked")
    private static final EventCodec<SpecificRecord> EVENTS = EventCodec.anyOf(EventTypes.all().toArray(Class[]::new));

    private EstimatorBench() {
    }

    public static void main(String[] args) throws Exception {
        int total = 100_000;
        int draws = 200;
        int samples = 200;
        boolean threadMetrics = false;
        Map<String, String> kafka = new java.util.HashMap<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--chains" -> total = Integer.parseInt(args[++i]);
                case "--draws" -> draws = Integer.parseInt(args[++i]);
                case "--samples" -> samples = Integer.parseInt(args[++i]);
                case "--thread-metrics" -> threadMetrics = true;
                case "--streams" -> {
                    String[] kv = args[++i].split("=", 2);
                    kafka.put(kv[0], kv[1]);
                }
                default -> throw new IllegalArgumentException("unknown option " + args[i]
                        + "; use --chains N, --draws D, --samples S, --streams key=value, --thread-metrics");
            }
        }
        Path work = Files.createTempDirectory("spectroscope-estimator-bench");
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(BrokerSettings.ephemeral(work.resolve("kafka")));
             ProcessorApp processor = ProcessorApp.start(ProcessorSettings.defaults(broker.bootstrapServers())
                     .withStateDir(work.resolve("streams")).withHttpPort(-1).withKafka(kafka))) {
            processor.awaitRunning(Duration.ofSeconds(60));
            String bootstrap = broker.bootstrapServers();
            try (Listener listener = new Listener(bootstrap);
                 KafkaProducer<String, byte[]> producer = producer(bootstrap)) {
                Thread.sleep(3000); // the listener's assignment
                // Warm-up: the same work on other runs, unmeasured, so that the JIT has compiled the paths the
                // measured backlog takes (in a run of a few seconds, C2 otherwise takes a third of a core).
                throughput(producer, listener, Math.max(12 * 12, total / 5), draws, "warm-");
                double perSecond = throughput(producer, listener, total, draws, "tp-");
                if (threadMetrics) {
                    // Where each stream thread's time went during the backlog: polling, processing, committing.
                    for (var app : List.of(processor.estimator(), processor.transitions())) {
                        app.metrics().forEach((name, metric) -> {
                            if (name.group().equals("stream-thread-metrics")
                                    && name.name().matches("(poll|process|commit|punctuate)-ratio")) {
                                System.out.printf(Locale.ROOT, "  %s %s = %.2f%n", name.tags().getOrDefault(
                                        "thread-id", "").replaceAll("-[0-9a-f-]{36}", ""), name.name(),
                                        (Double) metric.metricValue());
                            }
                        });
                    }
                }
                // What the broker and the clients alone allow on this machine, over the same backlog.
                double readOnly = floor(bootstrap, false);
                double copied = floor(bootstrap, true);
                long[] llcLatency = llcLatency(producer, listener, samples, draws);
                long[] alertLatency = alertLatency(producer, listener, Math.max(20, samples / 4));
                String table = String.format(Locale.ROOT, """
                        | measure | value |
                        |---|---|
                        | SgldChain events/s through the estimator (%d chains of %d draws, 12 per step) | %,.0f |
                        | floor: the same backlog only read (read_committed consumer, no Streams) | %,.0f |
                        | floor: read and copied to another topic in transactions every 100 ms (no Streams) | %,.0f |
                        | estimator ÷ transactional-copy floor (same run, so less noisy than either) | %.2f |
                        | last chain → LlcEstimate, p50 / p99 (ms, %d steps) | %.0f / %.0f |
                        | closing evidence → transition Alert, p50 / p99 (ms, %d runs) | %.0f / %.0f |
                        """, total, draws, perSecond, readOnly, copied, perSecond / copied, llcLatency.length, percentile(llcLatency, 50) / 1e6,
                        percentile(llcLatency, 99) / 1e6, alertLatency.length, percentile(alertLatency, 50) / 1e6,
                        percentile(alertLatency, 99) / 1e6);
                System.out.println(table);
            }
        }
    }

    /** Sends {@code total} chains (12 per step: 4 chains × 3 temperatures) as fast as it can; events/s to the last estimate. */
    static double throughput(KafkaProducer<String, byte[]> producer, Listener listener, int total, int draws,
                             String prefix) throws Exception {
        int runs = 12;
        int steps = total / 12 / runs;
        for (int r = 0; r < runs; r++) {
            send(producer, runStarted(prefix + r));
        }
        producer.flush();
        // Encoded before the clock starts: the figure is the processor's, not this generator's.
        List<ProducerRecord<String, byte[]>> records = new ArrayList<>(steps * runs * 12);
        for (int s = 0; s < steps; s++) {
            for (int r = 0; r < runs; r++) {
                for (int t = 0; t < 3; t++) {
                    for (int c = 0; c < 4; c++) {
                        records.add(new ProducerRecord<>("spectroscope.probes", prefix + r,
                                EVENTS.encode(chain(prefix + r, s, c, t, draws))));
                    }
                }
            }
        }
        long start = System.nanoTime();
        for (ProducerRecord<String, byte[]> record : records) {
            producer.send(record);
        }
        producer.flush();
        System.out.printf(Locale.ROOT, "sent %d chains in %.1f s%n", records.size(), (System.nanoTime() - start) / 1e9);
        long want = (long) steps * runs;
        while (listener.estimatesOf(prefix) < want) {
            Thread.sleep(20);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        return steps * runs * 12 / seconds;
    }

    /**
     * Records per second a plain client reads the probes topic's backlog from the start with: with {@code copy},
     * each record is also written to a scratch topic by a transactional producer committing every 100 ms with
     * its offsets — the least an exactly-once processor that logs what it keeps must do per chain.
     */
    static double floor(String bootstrap, boolean copy) {
        Properties c = new Properties();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        c.put(ConsumerConfig.GROUP_ID_CONFIG, "bench-floor-" + UUID.randomUUID());
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "bench-floor-" + UUID.randomUUID());
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(c, new StringDeserializer(),
                new ByteArrayDeserializer());
             KafkaProducer<String, byte[]> producer = copy ? new KafkaProducer<>(p, new StringSerializer(),
                     new ByteArraySerializer()) : null) {
            List<TopicPartition> partitions = consumer.partitionsFor("spectroscope.probes")
                    .stream().map(i -> new TopicPartition(i.topic(), i.partition())).toList();
            consumer.assign(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long want = end.values().stream().mapToLong(Long::longValue).sum();
            if (producer != null) {
                try (Admin admin = Admin.create(Map.<String, Object>of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                        bootstrap))) {
                    admin.createTopics(List.of(new NewTopic("bench.floor-copy", partitions.size(), (short) 1))).all()
                            .get();
                } catch (Exception e) {
                    throw new IllegalStateException("cannot create the scratch topic: " + e, e);
                }
                producer.initTransactions();
                producer.beginTransaction();
            }
            long start = System.nanoTime();
            long lastCommit = start;
            long read = 0;
            while (read < want) {
                var records = consumer.poll(Duration.ofMillis(100));
                for (ConsumerRecord<String, byte[]> r : records) {
                    read++;
                    if (producer != null) {
                        producer.send(new ProducerRecord<>("bench.floor-copy", r.key(), r.value()));
                    }
                }
                if (producer != null && System.nanoTime() - lastCommit > 100_000_000L) {
                    Map<TopicPartition, OffsetAndMetadata> offsets = new java.util.HashMap<>();
                    for (var tp : partitions) {
                        offsets.put(tp, new OffsetAndMetadata(consumer.position(tp)));
                    }
                    producer.sendOffsetsToTransaction(offsets, consumer.groupMetadata());
                    producer.commitTransaction();
                    producer.beginTransaction();
                    lastCommit = System.nanoTime();
                }
            }
            if (producer != null) {
                producer.commitTransaction();
            }
            return read / ((System.nanoTime() - start) / 1e9);
        }
    }

    static long[] llcLatency(KafkaProducer<String, byte[]> producer, Listener listener, int samples, int draws)
            throws Exception {
        send(producer, runStarted("lat"));
        producer.flush();
        long[] out = new long[samples];
        for (int s = 0; s < samples; s++) {
            for (int i = 0; i < 12; i++) {
                if (i == 11) {
                    producer.flush();
                    listener.mark("lat", s);
                }
                send(producer, chain("lat", s, i % 4, i / 4, draws));
            }
            producer.flush();
            out[s] = listener.awaitEstimate("lat", s);
        }
        return out;
    }

    /** Per run: a concept probe sits on a plateau, falls, settles; the settling point closes the move. */
    static long[] alertLatency(KafkaProducer<String, byte[]> producer, Listener listener, int runs) throws Exception {
        double[] scores = {0.85, 0.85, 0.85, 0.85, 0.84, 0.6, 0.3, 0.1, 0.06, 0.058};
        long[] out = new long[runs];
        for (int r = 0; r < runs; r++) {
            String run = "alert-" + r;
            send(producer, runStarted(run));
            for (int i = 0; i < scores.length; i++) {
                if (i == scores.length - 1) {
                    producer.flush();
                    listener.markAlert(run);
                }
                send(producer, ConceptProbe.newBuilder().setEventId(UUID.randomUUID().toString()).setRunId(run)
                        .setStep(100L * i + 99).setTimestamp(Instant.now()).setProbe("feature-0").setScore(scores[i])
                        .build());
            }
            producer.flush();
            out[r] = listener.awaitAlert(run);
        }
        return out;
    }

    static RunStarted runStarted(String runId) {
        return RunStarted.newBuilder().setEventId(UUID.randomUUID().toString()).setRunId(runId)
                .setTimestamp(Instant.now()).setName(runId).setModelFamily("tms").setN(1000).build();
    }

    static SgldChain chain(String runId, long step, int chain, int temperature, int draws) {
        SplittableRandom random = new SplittableRandom(step * 31 + chain * 7L + temperature);
        double nBeta = 144.76 * (1 << temperature);
        List<Double> losses = new ArrayList<>(draws);
        for (int i = 0; i < draws; i++) {
            losses.add(0.1 + random.nextDouble() * 2 * 1.5 / nBeta);
        }
        return SgldChain.newBuilder().setEventId(UUID.randomUUID().toString()).setRunId(runId).setStep(step)
                .setTimestamp(Instant.now()).setChainIndex(chain).setTemperatureIndex(temperature)
                .setSampler(SamplerConfig.newBuilder().setEpsilon(1e-4).setNBeta(nBeta).setGamma(1).setBatchSize(100)
                        .setN(1000).setDraws(draws).setBurnIn(draws).setSeed(chain).setChainCount(4)
                        .setTemperatureCount(3).build())
                .setCenterLoss(0.1).setLosses(losses).setMeanSquaredDistance(1e-4).build();
    }

    static void send(KafkaProducer<String, byte[]> producer, SpecificRecord event) {
        String topic = event instanceof RunStarted ? "spectroscope.runs" : "spectroscope.probes";
        String runId = event.get(event.getSchema().getField("runId").pos()).toString();
        producer.send(new ProducerRecord<>(topic, runId, EVENTS.encode(event)));
    }

    static KafkaProducer<String, byte[]> producer(String bootstrap) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        return new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    }

    static long percentile(long[] xs, int p) {
        long[] sorted = xs.clone();
        java.util.Arrays.sort(sorted);
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1)];
    }

    /** Reads estimates and alerts (read_committed) and timestamps their arrival. */
    static final class Listener implements AutoCloseable {
        private final Map<String, Long> estimateArrivals = new ConcurrentHashMap<>();
        private final Map<String, Long> alertArrivals = new ConcurrentHashMap<>();
        private final Map<String, Long> marks = new ConcurrentHashMap<>();
        private final Map<String, AtomicLong> counts = new ConcurrentHashMap<>();
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final Thread thread;

        Listener(String bootstrap) {
            Properties p = new Properties();
            p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            p.put(ConsumerConfig.GROUP_ID_CONFIG, "bench-listener-" + UUID.randomUUID());
            p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
            KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(p, new StringDeserializer(),
                    new ByteArrayDeserializer());
            consumer.subscribe(List.of("spectroscope.estimates", "spectroscope.alerts"));
            thread = new Thread(() -> {
                try (consumer) {
                    while (running.get()) {
                        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(5))) {
                            long now = System.nanoTime();
                            SpecificRecord e = EVENTS.decode(r.topic(), r.value());
                            if (e instanceof LlcEstimate llc) {
                                estimateArrivals.put(llc.getRunId() + "@" + llc.getStep(), now);
                                String prefix = llc.getRunId().replaceAll("\\d+$", "");
                                counts.computeIfAbsent(prefix, k -> new AtomicLong()).incrementAndGet();
                            } else if (e instanceof Alert a && a.getKind().equals("phase-transition")) {
                                alertArrivals.putIfAbsent(a.getRunId(), now);
                            }
                        }
                    }
                }
            }, "bench-listener");
            thread.start();
        }

        long estimatesOf(String prefix) {
            return counts.getOrDefault(prefix, new AtomicLong()).get();
        }

        void mark(String run, long step) {
            marks.put(run + "@" + step, System.nanoTime());
        }

        void markAlert(String run) {
            marks.put("alert:" + run, System.nanoTime());
        }

        long awaitEstimate(String run, long step) throws InterruptedException {
            String key = run + "@" + step;
            while (!estimateArrivals.containsKey(key)) {
                Thread.sleep(1);
            }
            return estimateArrivals.get(key) - marks.get(key);
        }

        long awaitAlert(String run) throws InterruptedException {
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (!alertArrivals.containsKey(run)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("no transition alert for " + run);
                }
                Thread.sleep(1);
            }
            return alertArrivals.get(run) - marks.get("alert:" + run);
        }

        @Override
        public void close() throws InterruptedException {
            running.set(false);
            thread.join(5000);
        }
    }

}
