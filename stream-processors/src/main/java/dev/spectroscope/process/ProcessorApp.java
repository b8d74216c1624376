package dev.spectroscope.process;

import dev.spectroscope.estimate.EstimatorTopology;
import dev.spectroscope.query.RunQueryServer;
import dev.spectroscope.transition.TransitionTopology;
import java.util.List;
import dev.spectroscope.topics.TopicCatalogue;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code spectroscope process}: the estimator and the transition topology, each its own Kafka Streams
 * application ({@code <id>-estimator}, {@code <id>-transitions}) with its own thread, so sampling output
 * and detector state never queue behind each other; plus the query API over the transitions' run states.
 */
public final class ProcessorApp implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ProcessorApp.class);

    private final ProcessorSettings settings;
    private final KafkaStreams estimator;
    private final KafkaStreams transitions;
    private final RunQueryServer query;

    private ProcessorApp(ProcessorSettings settings, KafkaStreams estimator, KafkaStreams transitions,
                         RunQueryServer query) {
        this.settings = settings;
        this.estimator = estimator;
        this.transitions = transitions;
        this.query = query;
    }

    public static ProcessorApp start(ProcessorSettings settings) {
        TopicCatalogue topics = new TopicCatalogue(settings.topicPrefix(), settings.partitions());
        KafkaStreams estimator = new KafkaStreams(EstimatorTopology.build(topics, settings.chainWait()),
                properties(settings, "estimator", false));
        KafkaStreams transitions = new KafkaStreams(TransitionTopology.build(topics, settings.detectors()),
                properties(settings, "transitions", settings.httpPort() > 0));
        for (KafkaStreams streams : List.of(estimator, transitions)) {
            streams.setUncaughtExceptionHandler(e -> {
                // Bad records never get here (they become dead letters); this is an infrastructure failure.
                LOG.error("stream thread failed, replacing it: {}", e.toString());
                return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
            });
        }
        RunQueryServer query = null;
        try {
            if (settings.httpPort() >= 0) {
                query = new RunQueryServer(() -> transitions, settings.httpPort());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serve the query API on port " + settings.httpPort()
                    + ": is another processor running? Pass --http-port 0 for any free port or -1 for none", e);
        }
        estimator.start();
        transitions.start();
        LOG.info("processor {} started against {}{}", settings.applicationId(), settings.bootstrapServers(),
                query == null ? "" : "; query API on http://localhost:" + query.port() + "/runs");
        return new ProcessorApp(settings, estimator, transitions, query);
    }

    static Properties properties(ProcessorSettings s, String part, boolean queryable) {
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, s.applicationId() + "-" + part);
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, s.bootstrapServers());
        p.put(StreamsConfig.STATE_DIR_CONFIG, s.stateDir().toAbsolutePath().toString());
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, s.threads());
        // Estimates and alerts should follow their evidence within a second, not a commit interval of 30 s.
        p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100);
        // The stores' record caches: a run's state is rewritten after every estimate and a step's chains are
        // put and deleted within moments; cached, each key reaches RocksDB and its changelog once per commit.
        // Processors forward their results themselves, so the cache delays no estimate or alert.
        p.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 32L * 1024 * 1024);
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
        // Chains are kilobytes each and every one is also written to a changelog: with the producer's default
        // 16 KiB batches and Streams' 100 ms linger, the commit's flush waited on many small requests and the
        // estimator ran at half the rate (bench/run estimator, docs/benchmarks/estimator.md).
        p.put(StreamsConfig.producerPrefix(ProducerConfig.BATCH_SIZE_CONFIG), 512 * 1024);
        p.put(StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG), 5);
        // With data waiting, a fetch answers at once; when a partition runs dry the broker holds the fetch this
        // long instead of 500 ms, so a backlog arriving in bursts is picked up promptly.
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG), 50);
        // A processor that died is noticed in 10 s rather than 45, so its successor resumes quickly.
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG), 10_000);
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG), 2_000);
        if (queryable) {
            p.put(StreamsConfig.APPLICATION_SERVER_CONFIG, "localhost:" + s.httpPort());
        }
        p.putAll(s.kafka()); // the operator's word is last: TLS, SASL, or any tuning above
        return p;
    }

    /** The transition topology's streams, whose run states the query API reads. */
    public KafkaStreams transitions() {
        return transitions;
    }

    public KafkaStreams estimator() {
        return estimator;
    }

    /** Port of the query API, or -1 when it is off. */
    public int queryPort() {
        return query == null ? -1 : query.port();
    }

    public boolean awaitRunning(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (estimator.state() == KafkaStreams.State.RUNNING && transitions.state() == KafkaStreams.State.RUNNING) {
                return true;
            }
            Thread.sleep(50);
        }
        return false;
    }

    @Override
    public void close() {
        if (query != null) {
            query.close();
        }
        // Long enough for a clean commit of the open transactions.
        estimator.close(Duration.ofSeconds(30));
        transitions.close(Duration.ofSeconds(30));
        LOG.info("processor {} stopped", settings.applicationId());
    }
}
