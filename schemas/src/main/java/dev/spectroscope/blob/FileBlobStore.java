package dev.spectroscope.blob;

import dev.spectroscope.events.BlobRef;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Blobs as files under a root directory: {@code <root>/<run>/<kind>-<step>.bin}, written atomically. */
public final class FileBlobStore implements BlobStore {

    private final Path root;

    public FileBlobStore(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    public Path root() {
        return root;
    }

    @Override
    public BlobRef put(String runId, long step, String kind, byte[] bytes) {
        Path dir = root.resolve(safe(runId));
        Path target = dir.resolve(kind + "-" + step + ".bin");
        try {
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, kind, ".tmp");
            Files.write(tmp, bytes);
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new BlobException("cannot write the " + kind + " of run " + runId + " at step " + step + " to "
                    + target + ": " + e.getMessage(), e);
        }
        return BlobRef.newBuilder().setUri(target.toUri().toString()).setSha256(sha256(bytes))
                .setSizeBytes(bytes.length).setContentType("application/x-spectroscope-" + kind).build();
    }

    @Override
    public byte[] get(BlobRef ref, String runId, long step) {
        String where = "run " + runId + ", step " + step + ", blob " + ref.getUri();
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(Path.of(URI.create(ref.getUri())));
        } catch (NoSuchFileException e) {
            throw new BlobException("the blob of " + where + " is missing: was the blob store moved or cleaned? "
                    + "Point --blob-dir at the directory the agent wrote to", e);
        } catch (IOException | IllegalArgumentException e) {
            throw new BlobException("cannot read the blob of " + where + ": " + e.getMessage(), e);
        }
        if (bytes.length != ref.getSizeBytes() || !sha256(bytes).equals(ref.getSha256())) {
            throw new BlobException("the blob of " + where + " is corrupted: expected " + ref.getSizeBytes()
                    + " bytes with sha256 " + ref.getSha256() + ", found " + bytes.length + " bytes with sha256 "
                    + sha256(bytes), null);
        }
        return bytes;
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    private static String safe(String runId) {
        return runId.replaceAll("[^A-Za-z0-9._-]", "_");
    }
}
