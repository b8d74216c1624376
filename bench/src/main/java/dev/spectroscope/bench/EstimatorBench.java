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
 * <p>{@code bench/run estimator [--chains N] [--draws D] [--samples S] [--warmup N] [--max-warmup-rounds R]
 * [--broker-process] [--streams key=value] [--thread-metrics]}
 *
 * <p>Besides the rates it prints where the JVM's CPU went during the measured backlog, per chain and by thread
 * group, and what the estimator's stream thread would sustain with a core of its own.
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
        int warmup = -1;
        int maxWarmRounds = 30;
        boolean brokerProcess = false;
        boolean threadMetrics = false;
        Map<String, String> kafka = new java.util.HashMap<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--chains" -> total = Integer.parseInt(args[++i]);
                case "--draws" -> draws = Integer.parseInt(args[++i]);
                case "--samples" -> samples = Integer.parseInt(args[++i]);
                case "--warmup" -> warmup = Integer.parseInt(args[++i]);
                case "--max-warmup-rounds" -> maxWarmRounds = Integer.parseInt(args[++i]);
                case "--thread-metrics" -> threadMetrics = true;
                case "--broker-process" -> brokerProcess = true;
                case "--streams" -> {
                    String[] kv = args[++i].split("=", 2);
                    kafka.put(kv[0], kv[1]);
                }
                default -> throw new IllegalArgumentException("unknown option " + args[i]
                        + "; use --chains N, --draws D, --samples S, --warmup N (one warm-up round of N chains), "
                        + "--max-warmup-rounds R, --broker-process, --streams key=value, --thread-metrics");
            }
        }
        Path work = ScratchDirectory.create("spectroscope-estimator-bench").path(); // deleted when the JVM exits
        // With --broker-process the broker runs in its own JVM, as Kafka does in a deployment: this JVM then holds
        // only the processor and the benchmark's generator and listener (the two still share the machine's cores).
        try (AutoCloseable broker = brokerProcess
                     ? AgentOverheadBench.ExternalBroker.start(work.resolve("kafka"))
                     : EmbeddedKafkaBroker.start(BrokerSettings.ephemeral(work.resolve("kafka")));
             ProcessorApp processor = ProcessorApp.start(ProcessorSettings.defaults(bootstrapOf(broker))
                     .withStateDir(work.resolve("streams")).withHttpPort(-1).withKafka(kafka))) {
            processor.awaitRunning(Duration.ofSeconds(60));
            String bootstrap = bootstrapOf(broker);
            try (Listener listener = new Listener(bootstrap);
                 KafkaProducer<String, byte[]> producer = producer(bootstrap)) {
                Thread.sleep(3000); // the listener's assignment
                // Warm-up: the same work on other runs, unmeasured, until the JIT has compiled what the backlog
                // runs through. This JVM holds a broker, two Streams applications and their clients: on two cores
                // C2 works through that code for four to five minutes, and while it does it takes about 0.7 of a
                // core from the processor (a 30,000-chain warm-up left JIT compilation at 1.1 s per second of the
                // measured backlog). Rounds as large as the measured backlog (smaller ones left new compilations
                // for it) run until compilation uses under a tenth of a round's wall time, or 30 rounds; a
                // long-running processor lives in that state.
                int round = 0;
                int warmChains = Math.max(12 * 12, warmup >= 0 ? warmup : total);
                while (true) {
                    long jit0 = CpuAccount.compileMillis();
                    long t0 = System.nanoTime();
                    double rate = throughput(producer, listener, warmChains, draws, "warm" + round + "-");
                    double jitShare = (CpuAccount.compileMillis() - jit0) / ((System.nanoTime() - t0) / 1e6);
                    System.out.printf(Locale.ROOT, "warm-up round %d: %,.0f chains/s, JIT compilation %.2f s per "
                            + "second%n", round, rate, jitShare);
                    if (warmup >= 0 || jitShare < 0.1 || ++round >= maxWarmRounds) {
                        break;
                    }
                }
                CpuAccount cpu = CpuAccount.start();
                double perSecond = throughput(producer, listener, total, draws, "tp-");
                String cpuTable = cpu.table((total / 12 / 12) * 12 * 12);
                System.out.printf(Locale.ROOT, "estimator: %,.0f chains/s%n", perSecond);
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
                System.out.println(cpuTable);
            }
        }
    }

    private static String bootstrapOf(AutoCloseable broker) {
        return broker instanceof EmbeddedKafkaBroker embedded ? embedded.bootstrapServers()
                : ((AgentOverheadBench.ExternalBroker) broker).bootstrapServers();
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
                        records.add(new ProducerRecord<>("spectroscope.chains", prefix + r,
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
            List<TopicPartition> partitions = consumer.partitionsFor("spectroscope.chains")
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
        String topic = event instanceof RunStarted ? "spectroscope.runs"
                : event instanceof SgldChain ? "spectroscope.chains" : "spectroscope.probes";
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

    /**
     * CPU time of this JVM over the measured backlog, per chain and by thread group. On a shared 2-core machine
     * the throughput swings with the neighbours' load; CPU per chain does not, and the estimator's stream
     * thread's share of it says what one instance sustains when that thread has a core of its own.
     */
    static final class CpuAccount {
        private static final String[][] GROUPS = {
                {"estimator stream thread", "spectroscope-process-estimator.*StreamThread-\\d+"},
                {"transition stream thread", "spectroscope-process-transitions.*StreamThread-\\d+"},
                {"Streams' client threads (producer I/O, heartbeats)", "kafka-.* \\| spectroscope-process.*"},
                {"benchmark's generator and listener", "main|bench-listener|kafka-.* \\| (producer-|bench-).*"},
                {"broker", "(data-plane|kafka-|group-coordinator|ExpirationReaper|executor-|TxnMarker|"
                        + "AddPartitionsToTxn|LogDirFailure|controller|raft|quorum|broker-).*"},
        };
        private final java.lang.management.ThreadMXBean threads =
                java.lang.management.ManagementFactory.getThreadMXBean();
        private final Map<Long, Long> threadStart = new java.util.HashMap<>();
        private final long processStart;
        private final long wallStart = System.nanoTime();
        private final long compileStart = compileMillis();
        private final long gcStart = gcMillis();

        private CpuAccount() {
            for (long id : threads.getAllThreadIds()) {
                threadStart.put(id, Math.max(0, threads.getThreadCpuTime(id)));
            }
            processStart = processCpu();
        }

        static long compileMillis() {
            var jit = java.lang.management.ManagementFactory.getCompilationMXBean();
            return jit != null && jit.isCompilationTimeMonitoringSupported() ? jit.getTotalCompilationTime() : 0;
        }

        private static long gcMillis() {
            return java.lang.management.ManagementFactory.getGarbageCollectorMXBeans().stream()
                    .mapToLong(b -> Math.max(0, b.getCollectionTime())).sum();
        }

        static CpuAccount start() {
            return new CpuAccount();
        }

        private static long processCpu() {
            return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                    .getOperatingSystemMXBean()).getProcessCpuTime();
        }

        /** The table for {@code chains} chains processed since {@link #start()}. */
        String table(long chains) {
            long process = processCpu() - processStart;
            double wall = (System.nanoTime() - wallStart) / 1e9;
            long[] byGroup = new long[GROUPS.length + 1];
            for (var info : threads.getThreadInfo(threads.getAllThreadIds())) {
                if (info == null) {
                    continue;
                }
                long used = Math.max(0, threads.getThreadCpuTime(info.getThreadId()))
                        - threadStart.getOrDefault(info.getThreadId(), 0L);
                int g = GROUPS.length;
                for (int i = 0; i < GROUPS.length; i++) {
                    if (info.getThreadName().matches(GROUPS[i][1])) {
                        g = i;
                        break;
                    }
                }
                byGroup[g] += used;
            }
            long javaThreads = java.util.Arrays.stream(byGroup).sum();
            StringBuilder out = new StringBuilder(String.format(Locale.ROOT, """
                    CPU over the measured backlog (%.1f s wall, %d chains; this JVM holds the broker, both Streams \
                    applications and the benchmark's generator and listener):

                    | thread group | CPU µs per chain | cores |
                    |---|---|---|
                    """, wall, chains));
            for (int i = 0; i < GROUPS.length; i++) {
                out.append(row(GROUPS[i][0], byGroup[i], chains, wall));
            }
            out.append(row("other Java threads", byGroup[GROUPS.length], chains, wall));
            out.append(row("JIT compiler, GC and other native threads", Math.max(0, process - javaThreads), chains,
                    wall));
            out.append(row("whole JVM", process, chains, wall));
            out.append(String.format(Locale.ROOT, "%nOf the native threads' time: JIT compilation %.1f s, garbage "
                    + "collection %.1f s (pauses, as the JVM reports them).%n", (compileMillis() - compileStart) / 1e3,
                    (gcMillis() - gcStart) / 1e3));
            out.append(String.format(Locale.ROOT, "%nWhat the estimator's stream thread alone sustains at one core: "
                    + "%,.0f chains/s%n", chains / (byGroup[0] / 1e9)));
            return out.toString();
        }

        private static String row(String name, long nanos, long chains, double wall) {
            return String.format(Locale.ROOT, "| %s | %.1f | %.2f |%n", name, nanos / 1e3 / chains, nanos / 1e9 / wall);
        }
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
