package dev.spectroscope.agent.journal;

import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's write-ahead journal: an append-only, segmented, CRC-checked log of encoded events in one
 * directory, with the sequence number up to which Kafka has acknowledged them. Every event goes through
 * it, so that the order on disk is the order in Kafka and nothing is lost while Kafka is away.
 *
 * <p>Record layout: {@code int length, int crc32(body), body} with body = {@code long sequence, byte topic,
 * [long timestamp], short keyLength, key (UTF-8), value}; the timestamp (the event's own, epoch milliseconds,
 * sent as the Kafka record's) is there when the topic byte's high bit is set, so journals written before it
 * existed still read. A record cut short by a crash is detected by its length or CRC; the
 * journal is read up to the last whole record and the tail is cut off with a warning.
 *
 * <p>One process at a time: the directory is locked while a journal is open.
 */
public final class Journal implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Journal.class);
    private static final String SEGMENT_PREFIX = "segment-";
    private static final String SEGMENT_SUFFIX = ".log";
    private static final String ACKED = "acked";
    private static final int HEADER = 8;
    /** The topic byte's high bit: a timestamp follows it. */
    private static final int TIMESTAMPED = 0x80;
    private static final int MAX_RECORD = 256 * 1024 * 1024;
    /** Recent records kept in memory for the sender, so that a sender keeping up never reads the file back. */
    private static final long TAIL_MAX_BYTES = 4L << 20;

    private final Path dir;
    private final long segmentBytes;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private DataOutputStream out;
    private Path activeSegment;
    private long activeSize;
    private long nextSequence;
    private volatile long flushedSequence;  // every record below this is on disk, whole
    private volatile long acked;
    private long bytesOnDisk;
    private boolean closed;
    private Path cursorSegment;
    private long cursorOffset;
    private long cursorSequence = -1;
    private final ArrayDeque<Entry> tail = new ArrayDeque<>();
    private long tailBytes;

    /** One record read back; {@code timestamp} is −1 when the record carries none. */
    public record Entry(long sequence, byte topic, long timestamp, String key, byte[] value) {
    }

    private Journal(Path dir, long segmentBytes, FileChannel lockChannel, FileLock lock) {
        this.dir = dir;
        this.segmentBytes = segmentBytes;
        this.lockChannel = lockChannel;
        this.lock = lock;
    }

    /**
     * Opens (or creates) the journal in {@code dir}, recovering from a crash: a torn last record is cut off.
     *
     * @throws JournalLockedException when another process has it open
     */
    public static Journal open(Path dir, long segmentBytes) {
        try {
            Files.createDirectories(dir);
            FileChannel channel = FileChannel.open(dir.resolve("lock"), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null;
            }
            if (lock == null) {
                channel.close();
                throw new JournalLockedException(dir);
            }
            Journal journal = new Journal(dir, segmentBytes, channel, lock);
            journal.recover();
            return journal;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the journal in " + dir + ": " + e.getMessage(), e);
        }
    }

    public Path dir() {
        return dir;
    }

    private void recover() throws IOException {
        acked = readAcked();
        long next = acked;
        List<Path> segments = segments();
        for (Path segment : segments) {
            ScanResult scan = scan(segment, 0, Long.MIN_VALUE, null);
            if (scan.lastSequence >= 0) {
                next = Math.max(next, scan.lastSequence + 1);
            }
            if (scan.validBytes < Files.size(segment)) {
                LOG.warn("Journal {}: segment {} ends in a torn record after {} whole bytes (a crash while writing); "
                                + "keeping everything before it", dir, segment.getFileName(), scan.validBytes);
                try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.WRITE)) {
                    ch.truncate(scan.validBytes);
                }
            }
            bytesOnDisk += scan.validBytes;
        }
        nextSequence = next;
        flushedSequence = next;
    }

    /** Appends one record without a timestamp (Kafka's producer stamps it when sending). */
    public long append(byte topic, String key, byte[] value) {
        return append(topic, key, value, -1);
    }

    /**
     * Appends one record and returns its sequence number; visible to readers after {@link #flush()}. A
     * timestamp of 0 or more goes to Kafka as the record's timestamp.
     */
    public synchronized long append(byte topic, String key, byte[] value, long timestamp) {
        if (closed) {
            throw new IllegalStateException("journal " + dir + " is closed");
        }
        if (topic < 0) {
            throw new IllegalArgumentException("topic index " + topic + " out of range (0-127)");
        }
        byte[] keyBytes = key.getBytes(StandardCharsets.UTF_8);
        boolean stamped = timestamp >= 0;
        int bodyLength = 8 + 1 + (stamped ? 8 : 0) + 2 + keyBytes.length + value.length;
        ByteBuffer body = ByteBuffer.allocate(bodyLength);
        long sequence = nextSequence++;
        body.putLong(sequence).put(stamped ? (byte) (topic | TIMESTAMPED) : topic);
        if (stamped) {
            body.putLong(timestamp);
        }
        body.putShort((short) keyBytes.length).put(keyBytes).put(value);
        CRC32 crc = new CRC32();
        crc.update(body.array(), 0, bodyLength);
        try {
            if (out == null || activeSize >= segmentBytes) {
                roll(sequence);
            }
            out.writeInt(bodyLength);
            out.writeInt((int) crc.getValue());
            out.write(body.array(), 0, bodyLength);
            activeSize += HEADER + bodyLength;
            bytesOnDisk += HEADER + bodyLength;
            Entry entry = new Entry(sequence, topic, stamped ? timestamp : -1, key, value);
            tail.addLast(entry);
            tailBytes += entryBytes(entry);
            while (tailBytes > TAIL_MAX_BYTES && tail.size() > 1) {
                Entry dropped = tail.removeFirst();
                tailBytes -= entryBytes(dropped);
            }
        } catch (IOException e) {
            nextSequence--;
            throw new UncheckedIOException("cannot write to the journal in " + dir + ": " + e.getMessage(), e);
        }
        return sequence;
    }

    /** Makes every appended record visible to readers (and durable against a process crash). */
    public synchronized void flush() {
        if (out == null) {
            return;
        }
        try {
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot flush the journal in " + dir + ": " + e.getMessage(), e);
        }
        flushedSequence = nextSequence;
        notifyAll();
    }

    private void roll(long firstSequence) throws IOException {
        if (out != null) {
            out.close();
        }
        activeSegment = dir.resolve(String.format("%s%020d%s", SEGMENT_PREFIX, firstSequence, SEGMENT_SUFFIX));
        OutputStream file = Files.newOutputStream(activeSegment, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        out = new DataOutputStream(new BufferedOutputStream(file, 1 << 16));
        activeSize = Files.size(activeSegment);
    }

    /** Records Kafka has acknowledged everything below {@code sequence}; removes segments wholly below it. */
    public synchronized void acknowledge(long sequence) {
        if (sequence <= acked) {
            return;
        }
        acked = sequence;
        try {
            Path tmp = dir.resolve(ACKED + ".tmp");
            Files.writeString(tmp, Long.toString(sequence), StandardCharsets.UTF_8);
            Files.move(tmp, dir.resolve(ACKED), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            List<Path> segments = segments();
            for (int i = 0; i + 1 < segments.size(); i++) {
                // A segment is done when the next one starts at or below the acknowledged sequence.
                if (firstSequence(segments.get(i + 1)) <= sequence && !segments.get(i).equals(activeSegment)) {
                    bytesOnDisk -= Files.size(segments.get(i));
                    Files.deleteIfExists(segments.get(i));
                }
            }
        } catch (IOException e) {
            LOG.warn("Journal {}: cannot record the acknowledged position: {}", dir, e.getMessage());
        }
    }

    public long acknowledged() {
        return acked;
    }

    /** Sequence number the next append gets. */
    public synchronized long nextSequence() {
        return nextSequence;
    }

    /** Bytes of records on disk (acknowledged segments are deleted as they complete). */
    public synchronized long bytesOnDisk() {
        return bytesOnDisk;
    }

    /** True when every appended record is acknowledged. */
    public boolean drained() {
        return acked >= flushedSequence;
    }

    /**
     * Reads the flushed records from {@code fromSequence} on, in order, waiting up to {@code waitMillis} for
     * new ones when it has reached the end; returns at most {@code max} records (possibly none).
     */
    public List<Entry> read(long fromSequence, int max, long waitMillis) throws InterruptedException {
        synchronized (this) {
            long deadline = System.currentTimeMillis() + waitMillis;
            while (flushedSequence <= fromSequence && !closed) {
                long left = deadline - System.currentTimeMillis();
                if (left <= 0) {
                    return List.of();
                }
                wait(left);
            }
            List<Entry> recent = fromTail(fromSequence, max);
            if (recent != null) {
                return recent;
            }
        }
        long limit = flushedSequence;
        List<Entry> entries = new ArrayList<>();
        try {
            if (cursorSegment != null && fromSequence == cursorSequence && Files.exists(cursorSegment)) {
                // The common case: the sender reads on in the segment it is in; no directory listing needed.
                ScanResult result = scan(cursorSegment, cursorOffset, fromSequence, collector(entries, limit, max));
                if (!entries.isEmpty()) {
                    cursorOffset = result.validBytes();
                    cursorSequence = entries.get(entries.size() - 1).sequence() + 1;
                    return entries;
                }
            }
            List<Path> all = segments();
            for (int at = 0; at < all.size() && entries.size() < max; at++) {
                Path segment = all.get(at);
                if (at + 1 < all.size() && firstSequence(all.get(at + 1)) <= fromSequence) {
                    continue; // wholly before the position
                }
                // The sender reads on from where it stopped: resume at the cached byte offset.
                long offset = segment.equals(cursorSegment) && fromSequence == cursorSequence ? cursorOffset : 0;
                ScanResult result = scan(segment, offset, fromSequence, collector(entries, limit, max));
                if (!entries.isEmpty()) {
                    cursorSegment = segment;
                    cursorOffset = result.validBytes();
                    cursorSequence = entries.get(entries.size() - 1).sequence() + 1;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the journal in " + dir + ": " + e.getMessage(), e);
        }
        return entries;
    }

    /**
     * The flushed records from {@code fromSequence} on, from memory, when memory still holds that sequence (the
     * sender keeping up); null otherwise, and the file is read. Records before the position are let go: the
     * sender reads forward, and a rewind after a failed delivery reads the file.
     */
    private List<Entry> fromTail(long fromSequence, int max) {
        Entry first = tail.peekFirst();
        if (first == null || first.sequence() > fromSequence) {
            return null;
        }
        while (!tail.isEmpty() && tail.peekFirst().sequence() < fromSequence) {
            tailBytes -= entryBytes(tail.removeFirst());
        }
        List<Entry> entries = new ArrayList<>();
        for (Entry e : tail) {
            if (e.sequence() >= flushedSequence || entries.size() >= max) {
                break;
            }
            entries.add(e);
        }
        return entries;
    }

    private static long entryBytes(Entry e) {
        return 11L + e.key().length() + e.value().length;
    }

    /** Reads every whole record from {@code fromSequence} on, without waiting: for journals left by other runs. */
    public List<Entry> readAll(long fromSequence, int max) {
        try {
            return read(fromSequence, max, 0);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return List.of();
        }
    }

    /** Collects records below {@code limit} into {@code entries}, at most {@code max} of them. */
    private static Visitor collector(List<Entry> entries, long limit, int max) {
        return e -> {
            if (e.sequence() < limit && entries.size() < max) {
                entries.add(e);
                return entries.size() < max && e.sequence() + 1 < limit;
            }
            return false;
        };
    }

    private interface Visitor {
        /** @return whether to continue */
        boolean visit(Entry entry);
    }

    private record ScanResult(long validBytes, long lastSequence) {
    }

    /** Scans whole records from byte {@code offset}; the result's validBytes is an absolute file offset. */
    private static ScanResult scan(Path segment, long offset, long fromSequence, Visitor visitor) throws IOException {
        byte[] data;
        try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.READ)) {
            long size = ch.size() - offset;
            ByteBuffer whole = ByteBuffer.allocate((int) Math.max(0, size));
            while (whole.hasRemaining() && ch.read(whole, offset + whole.position()) > 0) {
                // read until full or end of file
            }
            data = whole.array();
        }
        ByteBuffer buf = ByteBuffer.wrap(data);
        long last = -1;
        while (buf.remaining() >= HEADER) {
            int start = buf.position();
            int length = buf.getInt();
            int crc = buf.getInt();
            if (length < 11 || length > MAX_RECORD || length > buf.remaining()) {
                return new ScanResult(offset + start, last);
            }
            CRC32 check = new CRC32();
            check.update(data, buf.position(), length);
            if ((int) check.getValue() != crc) {
                return new ScanResult(offset + start, last);
            }
            long sequence = buf.getLong();
            byte topic = buf.get();
            long timestamp = -1;
            int fixed = 11;
            if ((topic & TIMESTAMPED) != 0) {
                topic = (byte) (topic & ~TIMESTAMPED);
                timestamp = buf.getLong();
                fixed += 8;
            }
            short keyLength = buf.getShort();
            byte[] key = new byte[keyLength];
            buf.get(key);
            byte[] value = new byte[length - fixed - keyLength];
            buf.get(value);
            last = sequence;
            if (visitor != null && sequence >= fromSequence && !visitor.visit(
                    new Entry(sequence, topic, timestamp, new String(key, StandardCharsets.UTF_8), value))) {
                return new ScanResult(offset + buf.position(), last);
            }
        }
        return new ScanResult(offset + buf.position(), last);
    }

    private List<Path> segments() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> {
                String name = p.getFileName().toString();
                return name.startsWith(SEGMENT_PREFIX) && name.endsWith(SEGMENT_SUFFIX);
            }).sorted().toList();
        }
    }

    private static long firstSequence(Path segment) {
        String name = segment.getFileName().toString();
        return Long.parseLong(name.substring(SEGMENT_PREFIX.length(), name.length() - SEGMENT_SUFFIX.length()));
    }

    private long readAcked() throws IOException {
        Path file = dir.resolve(ACKED);
        if (!Files.exists(file)) {
            return 0;
        }
        try {
            return Long.parseLong(Files.readString(file, StandardCharsets.UTF_8).strip());
        } catch (NumberFormatException e) {
            LOG.warn("Journal {}: unreadable acknowledged position, sending everything again", dir);
            return 0;
        }
    }

    /** Removes the journal's files once everything in it is acknowledged; keeps it otherwise. */
    public synchronized boolean deleteIfDrained() {
        if (!drained()) {
            return false;
        }
        close();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : files.toList()) {
                Files.deleteIfExists(p);
            }
            Files.deleteIfExists(dir);
            return true;
        } catch (IOException e) {
            LOG.warn("Journal {}: cannot remove the drained journal: {}", dir, e.getMessage());
            return false;
        }
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        flush();
        closed = true;
        notifyAll();
        try {
            if (out != null) {
                out.close();
            }
            lock.release();
            lockChannel.close();
        } catch (IOException e) {
            LOG.warn("Journal {}: error while closing: {}", dir, e.getMessage());
        }
    }
}
