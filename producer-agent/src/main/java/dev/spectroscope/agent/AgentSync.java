package dev.spectroscope.agent;

import dev.spectroscope.agent.journal.Journal;
import dev.spectroscope.agent.journal.JournalLockedException;
import dev.spectroscope.agent.journal.JournalSender;
import dev.spectroscope.topics.Topic;
import dev.spectroscope.topics.TopicCatalogue;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.Producer;

/**
 * Sends the journals that agents left in a spill directory (offline runs, crashes) to Kafka, each from its
 * acknowledged position, and removes each journal once Kafka has all of it: {@code spectroscope agent sync}.
 */
public final class AgentSync {

    private AgentSync() {
    }

    /** What a sync did. */
    public record Result(int journals, long sent, int skippedBusy, int incomplete) {
    }

    public static Result syncAll(Path spillDir, AgentConfig config, Duration timeout) {
        if (!Files.isDirectory(spillDir)) {
            throw new IllegalArgumentException("--spill-dir " + spillDir + " is not a directory");
        }
        List<String> topics = new ArrayList<>();
        TopicCatalogue catalogue = new TopicCatalogue(config.topicPrefix(), 1);
        for (Topic<? extends SpecificRecord> t : catalogue.all()) {
            topics.add(t.name());
        }
        List<Path> dirs;
        try (Stream<Path> list = Files.list(spillDir)) {
            dirs = list.filter(Files::isDirectory).sorted().toList();
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot list " + spillDir + ": " + e.getMessage(), e);
        }
        long sent = 0;
        int journals = 0;
        int busy = 0;
        int incomplete = 0;
        try (Producer<byte[], byte[]> producer = SpectroscopeAgent.newProducer(config)) {
            for (Path dir : dirs) {
                try {
                    Result r = sendJournal(dir, producer, topics, catalogue.runs().name(), timeout);
                    sent += r.sent();
                    journals++;
                    incomplete += r.incomplete();
                } catch (JournalLockedException e) {
                    busy++;
                }
            }
        }
        return new Result(journals, sent, busy, incomplete);
    }

    /** Sends one journal until Kafka has all of it or the timeout passes; deletes it when drained. */
    static Result sendJournal(Path dir, Producer<byte[], byte[]> producer, List<String> topics, String boundaryTopic,
                              Duration timeout) {
        Journal journal = Journal.open(dir, 64L << 20);
        AtomicLong sent = new AtomicLong();
        JournalSender sender = new JournalSender(journal, producer, topics, boundaryTopic, seq -> sent.incrementAndGet());
        sender.stopWhenDrained();
        Thread thread = new Thread(sender, "spectroscope-sync-" + dir.getFileName());
        thread.setDaemon(true);
        thread.start();
        try {
            thread.join(timeout.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        sender.stopNow();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        boolean drained = journal.deleteIfDrained();
        if (!drained) {
            journal.close();
        }
        return new Result(1, sent.get(), 0, drained ? 0 : 1);
    }
}
