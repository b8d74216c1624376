package dev.spectroscope.process;

import dev.spectroscope.query.RunQueryServer;
import dev.spectroscope.topics.TopicCatalogue;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@code spectroscope process}: the pipeline topology on Kafka Streams, plus its query API. */
public final class ProcessorApp implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ProcessorApp.class);

    private final ProcessorSettings settings;
    private final KafkaStreams streams;
    private final RunQueryServer query;

    private ProcessorApp(ProcessorSettings settings, KafkaStreams streams, RunQueryServer query) {
        this.settings = settings;
        this.streams = streams;
        this.query = query;
    }

    public static ProcessorApp start(ProcessorSettings settings) {
        TopicCatalogue topics = new TopicCatalogue(settings.topicPrefix(), settings.partitions());
        KafkaStreams streams = new KafkaStreams(
                PipelineTopology.build(topics, settings.chainWait(), settings.detectors()), properties(settings));
        streams.setUncaughtExceptionHandler(e -> {
            // Bad records never get here (they become dead letters); this is an infrastructure failure.
            LOG.error("stream thread failed, replacing it: {}", e.toString());
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
        });
        RunQueryServer query = null;
        try {
            if (settings.httpPort() >= 0) {
                query = new RunQueryServer(() -> streams, settings.httpPort());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serve the query API on port " + settings.httpPort()
                    + ": is another processor running? Pass --http-port 0 for any free port or -1 for none", e);
        }
        streams.start();
        LOG.info("processor {} started against {}{}", settings.applicationId(), settings.bootstrapServers(),
                query == null ? "" : "; query API on http://localhost:" + query.port() + "/runs");
        return new ProcessorApp(settings, streams, query);
    }

    static Properties properties(ProcessorSettings s) {
        Properties p = new Properties();
        p.putAll(s.kafka());
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, s.applicationId());
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, s.bootstrapServers());
        p.put(StreamsConfig.STATE_DIR_CONFIG, s.stateDir().toAbsolutePath().toString());
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, s.threads());
        // Estimates and alerts should follow their evidence within a second, not a commit interval of 30 s.
        p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100);
        p.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 0);
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
        if (s.httpPort() > 0) {
            p.put(StreamsConfig.APPLICATION_SERVER_CONFIG, "localhost:" + s.httpPort());
        }
        return p;
    }

    public KafkaStreams streams() {
        return streams;
    }

    /** Port of the query API, or -1 when it is off. */
    public int queryPort() {
        return query == null ? -1 : query.port();
    }

    public boolean awaitRunning(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (streams.state() == KafkaStreams.State.RUNNING) {
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
        // Long enough for a clean commit of the open transaction.
        streams.close(Duration.ofSeconds(30));
        LOG.info("processor {} stopped", settings.applicationId());
    }
}
