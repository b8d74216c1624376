package dev.spectroscope.checkpoint;

import dev.spectroscope.blob.BlobStore;
import dev.spectroscope.events.Checkpoint;
import dev.spectroscope.events.ParameterBlock;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.LinkedHashMap;
import java.util.Map;

/** A checkpoint's flat parameter vector, from its inline bytes or its claim-check blob (verified). */
public final class CheckpointParameters {

    private CheckpointParameters() {
    }

    /**
     * @throws IllegalArgumentException when the checkpoint has neither inline bytes nor a blob, an unknown
     *                                  dtype, or a byte count that does not match its parameter count
     * @throws dev.spectroscope.blob.BlobException when the blob is missing or fails its sha256 check
     */
    public static float[] read(Checkpoint checkpoint, BlobStore blobs) {
        String where = "checkpoint of run " + checkpoint.getRunId() + " at step " + checkpoint.getStep();
        if (!"FLOAT32".equals(checkpoint.getDtype())) {
            throw new IllegalArgumentException(where + " has dtype " + checkpoint.getDtype()
                    + "; this version reads FLOAT32 only");
        }
        ByteBuffer bytes;
        if (checkpoint.getInlineParameters() != null) {
            bytes = checkpoint.getInlineParameters().duplicate();
        } else if (checkpoint.getBlob() != null) {
            bytes = ByteBuffer.wrap(blobs.get(checkpoint.getBlob(), checkpoint.getRunId(), checkpoint.getStep()));
        } else {
            throw new IllegalArgumentException(where + " carries neither inline parameters nor a blob reference");
        }
        long expected = 4L * checkpoint.getParameterCount();
        if (bytes.remaining() != expected) {
            throw new IllegalArgumentException(where + " declares " + checkpoint.getParameterCount()
                    + " parameters (" + expected + " bytes) but carries " + bytes.remaining() + " bytes");
        }
        float[] out = new float[(int) checkpoint.getParameterCount()];
        bytes.order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
        return out;
    }

    /** The parameters split by the checkpoint's layout, by block name (C order within a block). */
    public static Map<String, float[]> byBlock(Checkpoint checkpoint, float[] flat) {
        Map<String, float[]> blocks = new LinkedHashMap<>();
        for (ParameterBlock block : checkpoint.getLayout()) {
            float[] values = new float[(int) block.getLength()];
            System.arraycopy(flat, (int) block.getOffset(), values, 0, values.length);
            blocks.put(block.getName(), values);
        }
        return blocks;
    }
}
