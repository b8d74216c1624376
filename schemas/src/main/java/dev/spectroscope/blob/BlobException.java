package dev.spectroscope.blob;

/** A blob is missing, unreadable or corrupted; the message names the run, step and URI. */
public final class BlobException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public BlobException(String message, Throwable cause) {
        super(message, cause);
    }
}
