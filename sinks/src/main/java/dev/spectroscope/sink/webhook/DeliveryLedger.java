package dev.spectroscope.sink.webhook;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The delivery keys a webhook target has accepted, on disk: a restart between a delivery and the offset
 * commit must not page anyone twice. One key per line, forced to disk before the next delivery; the file is
 * rewritten with the newest {@code capacity} keys when it grows past twice that.
 */
final class DeliveryLedger implements AutoCloseable {

    private final Path file;
    private final int capacity;
    private final Set<String> delivered = new LinkedHashSet<>();
    private FileChannel channel;
    private int linesOnDisk;

    DeliveryLedger(Path file, int capacity) {
        this.file = file;
        this.capacity = capacity;
        try {
            Files.createDirectories(file.getParent());
            if (Files.exists(file)) {
                List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
                for (String line : lines) {
                    if (!line.isBlank()) {
                        delivered.add(line.strip());
                    }
                }
                linesOnDisk = lines.size();
            }
            open();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the webhook delivery ledger " + file
                    + "; check the sinks' stateDir is writable", e);
        }
    }

    private void open() throws IOException {
        channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
    }

    boolean contains(String key) {
        return delivered.contains(key);
    }

    void record(String key) {
        if (!delivered.add(key)) {
            return;
        }
        try {
            channel.write(java.nio.ByteBuffer.wrap((key.replace('\n', ' ') + "\n").getBytes(StandardCharsets.UTF_8)));
            channel.force(false);
            linesOnDisk++;
            if (linesOnDisk > 2 * capacity) {
                compact();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the webhook delivery ledger " + file, e);
        }
    }

    private void compact() throws IOException {
        while (delivered.size() > capacity) {
            delivered.remove(delivered.iterator().next());
        }
        channel.close();
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.write(tmp, delivered, StandardCharsets.UTF_8);
        Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        linesOnDisk = delivered.size();
        open();
    }

    int size() {
        return delivered.size();
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException e) {
            // nothing left to save: every key was forced to disk when recorded
        }
    }
}
