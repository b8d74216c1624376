package dev.spectroscope.archive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spectroscope.blob.FileBlobStore;
import dev.spectroscope.events.Checkpoint;
import dev.spectroscope.events.ParameterBlock;
import dev.spectroscope.events.RunStarted;
import dev.spectroscope.events.TrainingMetrics;
import dev.spectroscope.sink.RecordSink.SinkRecord;
import dev.spectroscope.sink.SinkContext;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.avro.file.DataFileReader;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ArchiveSinkTest {

    @TempDir
    Path dir;

    static final SinkContext CONTEXT = new SinkContext() {
        @Override
        public boolean running() {
            return true;
        }

        @Override
        public void waitAlive(Duration duration) {
        }

        @Override
        public void deadLetter(SinkRecord record, String runId, String errorType, String reason) {
            throw new AssertionError("the archive dead-letters nothing");
        }
    };

    static List<SinkRecord> run(String runId, int steps) {
        List<SinkRecord> out = new ArrayList<>();
        out.add(record(RunStarted.newBuilder().setEventId(runId + "-start").setRunId(runId).setTimestamp(Instant.EPOCH)
                .setName("n").setModelFamily("tms").setModelSpec(Map.of()).setN(100).setParameterCount(3)
                .setHyperparameters(Map.of()).setConceptProbes(List.of()).setTags(Map.of()).setAgentVersion("t").build()));
        for (int s = 0; s < steps; s++) {
            out.add(record(TrainingMetrics.newBuilder().setEventId(runId + "-m" + s).setRunId(runId).setStep(s)
                    .setTimestamp(Instant.ofEpochMilli(s)).setEpoch(0).setLoss(1.0 / (s + 1)).setScalars(Map.of()).build()));
        }
        return out;
    }

    static SinkRecord record(SpecificRecord e) {
        return new SinkRecord("t", 0, 0, ArchiveLayout.runId(e), new byte[0], e);
    }

    @Test
    void eachRunGoesToItsOwnFilesRolledBySizeAndReadableByAvrosOwnReader() throws Exception {
        ArchiveSink sink = new ArchiveSink(dir, 4096, List.of("t"), new SimpleMeterRegistry());
        List<SinkRecord> a = run("run-a", 2000);
        List<SinkRecord> b = run("run/b weird", 10);
        for (int i = 0; i < a.size(); i += 100) {
            sink.accept(a.subList(i, Math.min(a.size(), i + 100)), CONTEXT);
        }
        sink.accept(b, CONTEXT);
        sink.close();

        List<Path> files = ArchiveLayout.files(ArchiveLayout.runDir(dir, "run-a"));
        assertTrue(files.size() > 1, "2,000 metrics at a 4 KiB roll size make several files: " + files);
        long count = 0;
        for (Path f : files) {
            try (DataFileReader<GenericRecord> reader = new DataFileReader<>(f.toFile(), new GenericDatumReader<>())) {
                for (GenericRecord r : reader) {
                    assertEquals("run-a", r.get("runId").toString());
                    count++;
                }
            }
        }
        assertEquals(a.size(), count);
        RunArchive archive = new RunArchive(dir);
        assertEquals(List.of("run-a", "run/b weird"), archive.runs());
        List<SpecificRecord> back = archive.events("run-a");
        assertEquals(a.stream().map(SinkRecord::event).toList(), back, "same events, same order");
    }

    @Test
    void aBatchRedoneAfterACrashIsReadBackOnce() throws Exception {
        List<SinkRecord> a = run("run-a", 50);
        ArchiveSink first = new ArchiveSink(dir, 1 << 20, List.of("t"), new SimpleMeterRegistry());
        first.accept(a, CONTEXT);
        // no close: the process died after writing, before committing; the next one redoes the batch
        ArchiveSink second = new ArchiveSink(dir, 1 << 20, List.of("t"), new SimpleMeterRegistry());
        second.accept(a.subList(40, 51), CONTEXT);
        second.accept(run("run-a", 60).subList(51, 61), CONTEXT);
        second.close();
        assertEquals(2, ArchiveLayout.files(ArchiveLayout.runDir(dir, "run-a")).size(),
                "a file another process left open is never appended to");
        assertEquals(61, new RunArchive(dir).events("run-a").size());
    }

    @Test
    void inspectShowsACheckpointsWeightsByBlockInTheirShape() {
        float[] w = {1, 2, 3, 4, 5, 6, 7};
        ByteBuffer bytes = ByteBuffer.allocate(4 * w.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : w) {
            bytes.putFloat(f);
        }
        bytes.flip();
        Checkpoint c = Checkpoint.newBuilder().setEventId("c").setRunId("r").setStep(5).setTimestamp(Instant.EPOCH)
                .setParameterCount(7).setDtype("FLOAT32").setInlineParameters(bytes)
                .setLayout(List.of(new ParameterBlock("W", List.of(2, 3), 0L, 6L), new ParameterBlock("b", List.of(1), 6L, 1L)))
                .build();
        Map<String, Object> json = EventJson.of(c, new FileBlobStore(dir));
        assertEquals(Map.of("W", List.of(List.of(1f, 2f, 3f), List.of(4f, 5f, 6f)), "b", List.of(7f)), json.get("parameters"));
        assertEquals("Checkpoint", json.get("type"));
        assertTrue(json.get("layout") instanceof List<?>, "layout as a list: " + json.get("layout"));
    }
}
