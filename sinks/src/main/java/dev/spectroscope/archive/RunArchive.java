package dev.spectroscope.archive;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.file.DataFileReader;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads an archive: the runs in it and a run's events in the order they were archived, each event once (a
 * batch redone after a crash can have written some twice). Files written by earlier releases are read into
 * the current event classes by Avro's schema resolution. A block torn by a crash ends that file's reading
 * with a warning; the files after it are still read.
 */
public final class RunArchive {

    private static final Logger LOG = LoggerFactory.getLogger(RunArchive.class);

    private final Path dir;

    public RunArchive(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("no archive at " + dir + "; the sinks write one to --archive-dir "
                    + "(default spectroscope-data/archive)");
        }
        this.dir = dir;
    }

    public Path dir() {
        return dir;
    }

    /** Run ids with archived events, sorted. */
    public List<String> runs() {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(Files::isDirectory).filter(p -> !ArchiveLayout.files(p).isEmpty())
                    .map(ArchiveLayout::runIdOf).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the archive " + dir, e);
        }
    }

    public boolean has(String runId) {
        return !ArchiveLayout.files(ArchiveLayout.runDir(dir, runId)).isEmpty();
    }

    /** Every event of the run, deduplicated by event id, in archive order. */
    public List<SpecificRecord> events(String runId) {
        List<Path> files = ArchiveLayout.files(ArchiveLayout.runDir(dir, runId));
        if (files.isEmpty()) {
            throw new IllegalArgumentException("run '" + runId + "' is not in the archive " + dir + "; it holds "
                    + summary(runs()));
        }
        List<SpecificRecord> out = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (Path file : files) {
            try (DataFileReader<SpecificRecord> reader = new DataFileReader<>(file.toFile(),
                    new SpecificDatumReader<>(ArchiveLayout.SCHEMA))) {
                while (reader.hasNext()) {
                    SpecificRecord event = reader.next();
                    if (seen.add(event.getClass().getSimpleName() + '/' + ArchiveLayout.eventId(event))) {
                        out.add(event);
                    }
                }
            } catch (IOException | AvroRuntimeException e) {
                LOG.warn("Archive file {} ends early ({}): events up to there are used", file, e.getMessage());
            }
        }
        return out;
    }

    private static String summary(List<String> runs) {
        if (runs.isEmpty()) {
            return "no runs";
        }
        return runs.size() <= 10 ? String.join(", ", runs) : String.join(", ", runs.subList(0, 10)) + ", …";
    }
}
