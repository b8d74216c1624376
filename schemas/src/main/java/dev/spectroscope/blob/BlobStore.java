package dev.spectroscope.blob;

import dev.spectroscope.events.BlobRef;

/**
 * Where payloads too large for a Kafka record go (the claim-check pattern): the record carries a
 * {@link BlobRef} with the URI, SHA-256 and size; readers fetch and verify. The file system is the default;
 * an S3-compatible store can implement the same interface.
 */
public interface BlobStore {

    /** Stores the bytes under a name derived from the run and step; returns the reference to put in the event. */
    BlobRef put(String runId, long step, String kind, byte[] bytes);

    /**
     * Fetches and verifies a blob.
     *
     * @throws BlobException naming the run, step and URI when the blob is missing or its hash does not match
     */
    byte[] get(BlobRef ref, String runId, long step);
}
