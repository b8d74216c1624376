package dev.spectroscope.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * A benchmark's working directory (broker logs, state stores, journals), deleted when the benchmark ends, however
 * it ends: the estimator benchmark alone writes gigabytes of broker log, and left behind, a few runs filled this
 * machine's disk.
 */
final class ScratchDirectory implements AutoCloseable {

    private final Path path;
    private final Thread hook;

    private ScratchDirectory(Path path) {
        this.path = path;
        this.hook = new Thread(this::delete, "scratch-cleanup");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    static ScratchDirectory create(String prefix) {
        try {
            return new ScratchDirectory(Files.createTempDirectory(prefix));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a working directory under " + System.getProperty(
                    "java.io.tmpdir") + ": " + e.getMessage(), e);
        }
    }

    Path path() {
        return path;
    }

    Path resolve(String other) {
        return path.resolve(other);
    }

    @Override
    public void close() {
        delete();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running or about to: it deletes the same directory
        }
    }

    private void delete() {
        if (!Files.exists(path)) {
            return;
        }
        try (Stream<Path> files = Files.walk(path)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            System.err.println("could not delete " + path + " (delete it by hand): " + e.getMessage());
        }
    }
}
