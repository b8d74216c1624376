package dev.spectroscope.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spectroscope.agent.journal.Journal;
import dev.spectroscope.broker.EmbeddedKafkaExtension;
import dev.spectroscope.events.RunStatus;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** No broker at all: the run completes, and a later sync delivers every event exactly once. */
class OfflineSyncTest {

    @RegisterExtension
    static final EmbeddedKafkaExtension KAFKA = new EmbeddedKafkaExtension();

    @TempDir
    Path work;

    @Test
    void anOfflineRunIsDeliveredByAgentSyncExactlyOnce() {
        Path spill = work.resolve("spill");
        AgentConfig offline = AgentConfig.defaults().withSpillDir(spill).withBlobDir(work.resolve("blobs"));
        String runId;
        try (SpectroscopeAgent agent = SpectroscopeAgent.start(offline)) {
            Run run = agent.startRun(RunSpec.named("offline").trainingSetSize(100));
            runId = run.id();
            for (int step = 0; step < 2000; step++) {
                run.metrics(step, 0.5);
            }
            run.finish(RunStatus.FINISHED);
        }
        AgentConfig online = offline.withBootstrapServers(KAFKA.bootstrapServers());
        AgentSync.Result first = AgentSync.syncAll(spill, online, Duration.ofSeconds(60));
        assertEquals(2002, first.sent());
        assertEquals(0, first.incomplete());
        AgentSync.Result again = AgentSync.syncAll(spill, online, Duration.ofSeconds(10));
        assertEquals(0, again.sent(), "a second sync sends nothing");
        Map<String, List<SpecificRecord>> events = RunEvents.read(KAFKA.bootstrapServers(), KAFKA.catalogue(), runId,
                2002);
        AgentDeliveryTest.assertOnceAndInOrder(events.get("spectroscope.metrics"), 2000);
        assertEquals(2, events.get("spectroscope.runs").size());
    }

    @Test
    void aJournalTornByACrashIsReadUpToItsLastWholeRecord() throws Exception {
        Path dir = work.resolve("torn");
        try (Journal journal = Journal.open(dir, 1 << 20)) {
            for (int i = 0; i < 100; i++) {
                journal.append((byte) 1, "run", ("value-" + i).getBytes(StandardCharsets.UTF_8));
            }
        }
        Path segment;
        try (Stream<Path> files = Files.list(dir)) {
            segment = files.filter(p -> p.getFileName().toString().startsWith("segment-")).findFirst().orElseThrow();
        }
        try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.WRITE)) {
            ch.truncate(ch.size() - 5); // the crash cut the last record short
        }
        try (Journal journal = Journal.open(dir, 1 << 20)) {
            assertEquals(99, journal.nextSequence());
            List<Journal.Entry> entries = journal.readAll(0, 1000);
            assertEquals(99, entries.size());
            assertEquals("value-98", new String(entries.get(98).value(), StandardCharsets.UTF_8));
            // Writing goes on after the cut, with no gap in the sequence.
            assertEquals(99, journal.append((byte) 1, "run", new byte[] {1}));
        }
    }

    /** Records with and without a timestamp (journals written before timestamps existed) read back side by side. */
    @Test
    void timestampedAndOlderRecordsReadBackTogether() {
        Path dir = work.resolve("stamped");
        try (Journal journal = Journal.open(dir, 1 << 20)) {
            journal.append((byte) 2, "run", new byte[] {7}); // the layout of older journals
            journal.append((byte) 3, "run", new byte[] {8, 9}, 1_700_000_000_123L);
            journal.append((byte) 127, "rün", new byte[0], 0L);
        }
        try (Journal journal = Journal.open(dir, 1 << 20)) {
            List<Journal.Entry> entries = journal.readAll(0, 10);
            assertEquals(3, entries.size());
            assertEquals(2, entries.get(0).topic());
            assertEquals(-1, entries.get(0).timestamp());
            assertEquals(3, entries.get(1).topic());
            assertEquals(1_700_000_000_123L, entries.get(1).timestamp());
            assertEquals(2, entries.get(1).value().length);
            assertEquals(127, entries.get(2).topic());
            assertEquals(0L, entries.get(2).timestamp());
            assertEquals("rün", entries.get(2).key());
        }
    }

    @Test
    void aJournalCannotBeOpenedTwice() {
        Path dir = work.resolve("busy");
        try (Journal journal = Journal.open(dir, 1 << 20)) {
            var e = org.junit.jupiter.api.Assertions.assertThrows(
                    dev.spectroscope.agent.journal.JournalLockedException.class, () -> Journal.open(dir, 1 << 20));
            assertTrue(e.getMessage().contains(dir.toString()));
        }
    }
}
