package dev.spectroscope.broker;

import dev.spectroscope.topics.TopicCatalogue;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Kafka broker in KRaft mode (combined broker and controller) running in this JVM, from Kafka's
 * own server classes. It formats its storage on first start, keeps everything in its data dir across
 * restarts, and creates the topic catalogue.
 *
 * <p>Settings are those of a single node: the internal topics (consumer offsets, transaction state,
 * share-group state) have replication factor 1 and min ISR 1, or exactly-once applications could not
 * start; thread counts and buffers are sized for a laptop.
 */
public final class EmbeddedKafkaBroker implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafkaBroker.class);
    private static final String LOCAL_STATE = "spectroscope-broker.properties";

    private final BrokerSettings settings;
    private final int port;
    private final int controllerPort;
    private final KafkaRaftServer server;
    private final TopicCatalogue catalogue;
    private volatile boolean closed;

    private EmbeddedKafkaBroker(BrokerSettings settings, int port, int controllerPort, KafkaRaftServer server) {
        this.settings = settings;
        this.port = port;
        this.controllerPort = controllerPort;
        this.server = server;
        this.catalogue = new TopicCatalogue(settings.topicPrefix(), settings.partitions());
    }

    /**
     * Starts the broker, waits until it serves clients, and creates the topic catalogue.
     *
     * @throws BrokerStartException with what went wrong and what to do about it
     */
    public static EmbeddedKafkaBroker start(BrokerSettings settings) {
        return start(settings, null, (short) 1);
    }

    /**
     * Starts one node: with {@code clusterId} (all nodes of a cluster formatted alike) and the replication
     * factor topics are created with; a node of a cluster returns once it serves clients, which needs a
     * quorum of its controllers, so a cluster starts its nodes in parallel.
     */
    static EmbeddedKafkaBroker start(BrokerSettings settings, String clusterId, short topicReplication) {
        long started = System.nanoTime();
        Path dataDir = settings.dataDir();
        Path logDir = dataDir.resolve("logs");
        try {
            Files.createDirectories(logDir);
        } catch (IOException e) {
            throw new BrokerStartException("cannot create the data dir " + dataDir + ": " + e.getMessage()
                    + "; choose a writable place with --data-dir", e);
        }
        refuseIfLocked(logDir);
        Properties state = readState(dataDir);
        int port = settings.port() == 0 ? freePort(settings.host()) : requireFree(settings.host(), settings.port(),
                "--port");
        int controllerPort = chooseControllerPort(settings, state);
        Properties serverProps = serverProperties(settings, logDir, port, controllerPort);
        boolean formatted = Files.exists(logDir.resolve("meta.properties"));
        if (!formatted) {
            format(dataDir, serverProps, clusterId == null ? Uuid.randomUuid().toString() : clusterId);
        }
        state.setProperty("controller.port", Integer.toString(controllerPort));
        writeState(dataDir, state);

        KafkaRaftServer server = new KafkaRaftServer(KafkaConfig.fromProps(serverProps, false), Time.SYSTEM);
        try {
            server.startup();
        } catch (RuntimeException e) {
            server.shutdown();
            throw new BrokerStartException("Kafka did not start on " + settings.host() + ":" + port + " with data dir "
                    + dataDir + ": " + rootMessage(e) + lockAdvice(e), e);
        }
        EmbeddedKafkaBroker broker = new EmbeddedKafkaBroker(settings, port, controllerPort, server);
        try {
            broker.awaitReadyAndCreateTopics(Duration.ofSeconds(60), topicReplication);
        } catch (RuntimeException e) {
            broker.close();
            throw e;
        }
        LOG.info("Kafka broker ready on {} ({} data dir {}) in {} ms", broker.bootstrapServers(),
                formatted ? "existing" : "new", dataDir, (System.nanoTime() - started) / 1_000_000);
        return broker;
    }

    public String bootstrapServers() {
        return settings.host() + ":" + port;
    }

    public int port() {
        return port;
    }

    public int controllerPort() {
        return controllerPort;
    }

    public BrokerSettings settings() {
        return settings;
    }

    public TopicCatalogue catalogue() {
        return catalogue;
    }

    /** Client properties that reach this broker; add serializers and the rest. */
    public Map<String, Object> clientProperties() {
        return Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    }

    private void awaitReadyAndCreateTopics(Duration timeout, short replication) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis()))) {
            while (true) {
                try {
                    admin.describeCluster().nodes().get(5, TimeUnit.SECONDS);
                    if (replication < 1) {
                        return; // a cluster creates the topics once all its nodes are up
                    }
                    TopicCreator.Result result = TopicCreator.ensure(admin, catalogue, replication);
                    if (!result.created().isEmpty()) {
                        LOG.info("Created topics {}", result.created());
                    }
                    return;
                } catch (ExecutionException | TimeoutException e) {
                    if (System.nanoTime() > deadline) {
                        throw new BrokerStartException("the broker on " + bootstrapServers() + " did not become ready in "
                                + timeout.toSeconds() + " s: " + rootMessage(e), e);
                    }
                    Thread.sleep(100);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BrokerStartException("interrupted while waiting for the broker", e);
        }
    }

    /** Stops the broker and waits until it has shut down; data stays in the data dir. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        long started = System.nanoTime();
        server.shutdown();
        server.awaitShutdown();
        LOG.info("Kafka broker on {} stopped in {} ms", bootstrapServers(), (System.nanoTime() - started) / 1_000_000);
    }

    static Properties serverProperties(BrokerSettings s, Path logDir, int port, int controllerPort) {
        Properties p = new Properties();
        p.setProperty("process.roles", "broker,controller");
        p.setProperty("node.id", Integer.toString(s.nodeId()));
        p.setProperty("controller.quorum.voters", s.nodeId() + "@" + s.host() + ":" + controllerPort);
        p.setProperty("listeners", "PLAINTEXT://" + s.host() + ":" + port + ",CONTROLLER://" + s.host() + ":"
                + controllerPort);
        p.setProperty("advertised.listeners", "PLAINTEXT://" + s.host() + ":" + port);
        p.setProperty("controller.listener.names", "CONTROLLER");
        p.setProperty("inter.broker.listener.name", "PLAINTEXT");
        p.setProperty("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.setProperty("log.dirs", logDir.toString());
        // A single node: internal topics cannot be replicated, and exactly-once needs them at min ISR 1.
        p.setProperty("offsets.topic.replication.factor", "1");
        p.setProperty("offsets.topic.num.partitions", "5");
        p.setProperty("transaction.state.log.replication.factor", "1");
        p.setProperty("transaction.state.log.min.isr", "1");
        p.setProperty("transaction.state.log.num.partitions", "5");
        p.setProperty("share.coordinator.state.topic.replication.factor", "1");
        p.setProperty("share.coordinator.state.topic.min.isr", "1");
        p.setProperty("default.replication.factor", "1");
        p.setProperty("min.insync.replicas", "1");
        p.setProperty("num.partitions", Integer.toString(s.partitions()));
        // Typos in topic names should fail loudly instead of creating stray topics.
        p.setProperty("auto.create.topics.enable", "false");
        p.setProperty("group.initial.rebalance.delay.ms", "0");
        // Sized for a laptop rather than a dedicated server.
        p.setProperty("num.network.threads", "2");
        p.setProperty("num.io.threads", "4");
        p.setProperty("background.threads", "4");
        p.setProperty("log.cleaner.dedupe.buffer.size", Integer.toString(16 * 1024 * 1024));
        p.setProperty("log.segment.bytes", Integer.toString(64 * 1024 * 1024));
        p.setProperty("message.max.bytes", Integer.toString(8 * 1024 * 1024));
        p.putAll(s.serverProperties());
        return p;
    }

    private static void format(Path dataDir, Properties serverProps, String clusterId) {
        Path config = dataDir.resolve("server.properties");
        try (Writer w = Files.newBufferedWriter(config, StandardCharsets.UTF_8)) {
            serverProps.store(w, "written by spectroscope broker for formatting; the broker is configured in code");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int rc;
        try (PrintStream ps = new PrintStream(out, true, StandardCharsets.UTF_8)) {
            rc = StorageTool.execute(new String[] {"format", "-t", clusterId, "-c",
                    config.toString()}, ps);
        } catch (RuntimeException e) {
            throw new BrokerStartException("formatting the storage in " + dataDir + " failed: " + rootMessage(e), e);
        }
        if (rc != 0) {
            throw new BrokerStartException("formatting the storage in " + dataDir + " failed (exit " + rc + "): "
                    + out.toString(StandardCharsets.UTF_8).strip(), null);
        }
        LOG.info("Formatted new Kafka storage in {}", dataDir);
    }

    /**
     * Kafka finds a second broker on the same data dir only half-way through its start-up, with a fatal
     * error and a stack trace; checking the lock first gives the operator one clear line instead.
     */
    private static void refuseIfLocked(Path logDir) {
        Path lockFile = logDir.resolve(".lock");
        if (!Files.exists(lockFile)) {
            return;
        }
        try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.WRITE)) {
            FileLock lock = channel.tryLock();
            if (lock == null) {
                throw locked(logDir);
            }
            lock.release();
        } catch (OverlappingFileLockException e) {
            throw locked(logDir);
        } catch (IOException e) {
            LOG.warn("Cannot check the lock of {}: {}", logDir, e.getMessage());
        }
    }

    private static BrokerStartException locked(Path logDir) {
        return new BrokerStartException("another broker is using the data dir " + logDir.getParent()
                + ": stop it, or choose another with --data-dir", null);
    }

    private static int chooseControllerPort(BrokerSettings settings, Properties state) {
        if (settings.controllerPort() != 0) {
            return requireFree(settings.host(), settings.controllerPort(), "the controller port");
        }
        String recorded = state.getProperty("controller.port");
        if (recorded != null) {
            int p = Integer.parseInt(recorded);
            if (isFree(settings.host(), p)) {
                return p;
            }
        }
        return freePort(settings.host());
    }

    private static Properties readState(Path dataDir) {
        return readProperties(dataDir.resolve(LOCAL_STATE));
    }

    /** A small state file of ours (ports, ids kept for restarts); an unreadable one counts as absent. */
    static Properties readProperties(Path file) {
        Properties state = new Properties();
        if (Files.exists(file)) {
            try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                state.load(r);
            } catch (IOException e) {
                LOG.warn("Ignoring unreadable {}: {}", file, e.getMessage());
            }
        }
        return state;
    }

    private static void writeState(Path dataDir, Properties state) {
        writeProperties(dataDir.resolve(LOCAL_STATE), state, "spectroscope broker state");
    }

    static void writeProperties(Path file, Properties state, String comment) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
                state.store(w, comment);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    static int freePort(String host) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getByName(host), 0));
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new BrokerStartException("cannot find a free port on " + host + ": " + e.getMessage(), e);
        }
    }

    private static int requireFree(String host, int port, String what) {
        if (!isFree(host, port)) {
            throw new BrokerStartException("port " + port + " on " + host + " is in use (" + what
                    + "); is another broker running? Stop it or choose another port with --port", null);
        }
        return port;
    }

    private static boolean isFree(String host, int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getByName(host), port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static String lockAdvice(Throwable e) {
        return rootMessage(e).toLowerCase().contains("lock")
                ? "; another broker seems to use this data dir: stop it, or choose another with --data-dir"
                : "";
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }
}
