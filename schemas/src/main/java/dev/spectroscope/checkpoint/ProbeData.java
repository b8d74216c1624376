package dev.spectroscope.checkpoint;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The data set a run is probed on: n rows of inputs and targets, shipped once by the agent at run start
 * (by claim check, {@code RunStarted.probeData}) so that a probe worker on another machine samples the same
 * loss the job trains on. Targets may have no columns, for models that reconstruct their input.
 *
 * <p>Bytes: the magic {@code SPD1}, then rows, input columns and target columns as little-endian ints,
 * then the inputs and the targets as little-endian float32, row-major.
 *
 * @param rows          number of samples n
 * @param inputColumns  features per sample
 * @param targetColumns target values per sample (0 when the target is the input)
 * @param inputs        rows × inputColumns
 * @param targets       rows × targetColumns
 */
public record ProbeData(int rows, int inputColumns, int targetColumns, float[] inputs, float[] targets) {

    public static final String CONTENT_TYPE = "application/x-spectroscope-probe-data";
    private static final int MAGIC = 0x31445053; // "SPD1" read little-endian
    private static final int HEADER = 16;

    public ProbeData {
        if (rows < 1 || inputColumns < 1 || targetColumns < 0) {
            throw new IllegalArgumentException("probe data needs at least one row and one input column, got " + rows
                    + " rows, " + inputColumns + " input and " + targetColumns + " target columns");
        }
        if (inputs.length != (long) rows * inputColumns || targets.length != (long) rows * targetColumns) {
            throw new IllegalArgumentException("probe data of " + rows + " rows needs " + (long) rows * inputColumns
                    + " inputs and " + (long) rows * targetColumns + " targets, got " + inputs.length + " and "
                    + targets.length);
        }
    }

    /** Inputs only, for models whose target is their input. */
    public static ProbeData ofInputs(int rows, int columns, float[] inputs) {
        return new ProbeData(rows, columns, 0, inputs, new float[0]);
    }

    public byte[] toBytes() {
        ByteBuffer buffer = ByteBuffer.allocate(HEADER + 4 * (inputs.length + targets.length))
                .order(ByteOrder.LITTLE_ENDIAN);
        buffer.putInt(MAGIC).putInt(rows).putInt(inputColumns).putInt(targetColumns);
        buffer.asFloatBuffer().put(inputs).put(targets);
        return buffer.array();
    }

    /** @param where names the blob in the error, e.g. "probe data of run tms-1" */
    public static ProbeData fromBytes(byte[] bytes, String where) {
        ByteBuffer buffer = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (bytes.length < HEADER || buffer.getInt() != MAGIC) {
            throw new IllegalArgumentException(where + " is not Spectroscope probe data (no SPD1 header); was the "
                    + "reference pointed at another file?");
        }
        int rows = buffer.getInt();
        int in = buffer.getInt();
        int out = buffer.getInt();
        long expected = HEADER + 4L * rows * ((long) in + out);
        if (rows < 1 || in < 1 || out < 0 || expected != bytes.length) {
            throw new IllegalArgumentException(where + " is truncated or malformed: header says " + rows + " rows × ("
                    + in + " + " + out + ") columns, which needs " + expected + " bytes, found " + bytes.length);
        }
        float[] inputs = new float[rows * in];
        float[] targets = new float[rows * out];
        buffer.asFloatBuffer().get(inputs).get(targets);
        return new ProbeData(rows, in, out, inputs, targets);
    }
}
