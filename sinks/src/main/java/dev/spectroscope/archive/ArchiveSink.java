package dev.spectroscope.archive;

import dev.spectroscope.sink.RecordSink;
import dev.spectroscope.sink.SinkContext;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.avro.file.CodecFactory;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Appends every event to its run's current archive file. Each batch is written and forced to disk before
 * its offsets are committed, so a crash loses nothing that was committed; a batch redone after a crash may
 * repeat events, which the reader drops by event id. Files roll at the configured size; writers idle for
 * a while are closed, and at most {@value #MAX_OPEN} stay open.
 */
public final class ArchiveSink implements RecordSink {

    private static final Logger LOG = LoggerFactory.getLogger(ArchiveSink.class);
    static final int MAX_OPEN = 32;
    private static final long IDLE_NANOS = 30_000_000_000L;

    private final Path dir;
    private final long rollBytes;
    private final List<String> topics;
    private final Map<String, RunFile> open = new LinkedHashMap<>();
    private final Counter archived;
    /** Runs whose writer this process closed cleanly, with the file's index: those files may be appended to. */
    private final Map<String, Integer> closedCleanly = new java.util.HashMap<>();

    private static final class RunFile {
        final Path runDir;
        int index;
        DataFileWriter<SpecificRecord> writer;
        long lastUsed;

        RunFile(Path runDir) {
            this.runDir = runDir;
        }
    }

    public ArchiveSink(Path dir, long rollBytes, List<String> topics, MeterRegistry registry) {
        this.dir = dir;
        this.rollBytes = rollBytes;
        this.topics = List.copyOf(topics);
        this.archived = Counter.builder("spectroscope.archive.events").description("Events written to the archive")
                .register(registry);
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the archive directory " + dir, e);
        }
    }

    @Override
    public String name() {
        return "archive";
    }

    @Override
    public List<String> topics() {
        return topics;
    }

    @Override
    public void accept(List<SinkRecord> batch, SinkContext context) {
        Set<RunFile> touched = new HashSet<>();
        try {
            for (SinkRecord r : batch) {
                RunFile f = writerFor(ArchiveLayout.runId(r.event()));
                f.writer.append(r.event());
                touched.add(f);
            }
            for (RunFile f : touched) {
                f.writer.fSync();
                if (Files.size(ArchiveLayout.file(f.runDir, f.index)) >= rollBytes) {
                    f.writer.close();
                    f.writer = null;
                    f.index++;
                    f.writer = create(ArchiveLayout.file(f.runDir, f.index));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("archive write under " + dir + " failed: " + e.getMessage()
                    + "; check disk space and permissions", e);
        }
        archived.increment(batch.size());
    }

    private RunFile writerFor(String runId) throws IOException {
        RunFile f = open.get(runId);
        if (f == null) {
            if (open.size() >= MAX_OPEN) {
                String oldest = open.entrySet().stream().min(Comparator.comparingLong(e -> e.getValue().lastUsed))
                        .orElseThrow().getKey();
                closeQuietly(oldest, open.remove(oldest));
            }
            f = new RunFile(ArchiveLayout.runDir(dir, runId));
            Files.createDirectories(f.runDir);
            List<Path> existing = ArchiveLayout.files(f.runDir);
            int last = existing.isEmpty() ? 0 : ArchiveLayout.index(existing.get(existing.size() - 1));
            if (last > 0 && Integer.valueOf(last).equals(closedCleanly.get(runId))) {
                f.index = last;
                f.writer = new DataFileWriter<>(new SpecificDatumWriter<SpecificRecord>(ArchiveLayout.SCHEMA))
                        .appendTo(ArchiveLayout.file(f.runDir, last).toFile());
            } else {
                // A file this process did not close itself may end in a torn block: never append to it.
                f.index = last + 1;
                f.writer = create(ArchiveLayout.file(f.runDir, f.index));
            }
            open.put(runId, f);
        }
        f.lastUsed = System.nanoTime();
        return f;
    }

    private static DataFileWriter<SpecificRecord> create(Path file) throws IOException {
        DataFileWriter<SpecificRecord> w = new DataFileWriter<>(new SpecificDatumWriter<>(ArchiveLayout.SCHEMA));
        w.setCodec(CodecFactory.deflateCodec(1));
        w.setMeta("spectroscope.archive", "1");
        return w.create(ArchiveLayout.SCHEMA, file.toFile());
    }

    @Override
    public void flushed() {
        long now = System.nanoTime();
        open.entrySet().removeIf(e -> {
            if (now - e.getValue().lastUsed > IDLE_NANOS) {
                closeQuietly(e.getKey(), e.getValue());
                return true;
            }
            return false;
        });
    }

    private void closeQuietly(String runId, RunFile f) {
        try {
            f.writer.close();
            closedCleanly.put(runId, f.index);
        } catch (IOException e) {
            LOG.warn("Closing archive file in {} failed: {}", f.runDir, e.getMessage());
        }
    }

    @Override
    public void close() {
        open.forEach(this::closeQuietly);
        open.clear();
    }
}
