package dev.spectroscope.archive;

import dev.spectroscope.blob.BlobException;
import dev.spectroscope.blob.BlobStore;
import dev.spectroscope.checkpoint.CheckpointParameters;
import dev.spectroscope.events.Checkpoint;
import dev.spectroscope.events.ParameterBlock;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.IndexedRecord;
import org.apache.avro.specific.SpecificRecord;

/**
 * An event as plain JSON-ready values: fields by name, unions unwrapped, timestamps as ISO-8601, bytes as
 * base64, and the event type under {@code "type"}. A checkpoint's parameters come out by layer or variable
 * name as nested arrays of its shape, so its weights can be checked without Java.
 */
public final class EventJson {

    private EventJson() {
    }

    public static Map<String, Object> of(SpecificRecord event, BlobStore blobs) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("type", event.getClass().getSimpleName());
        out.putAll(record(event));
        if (event instanceof Checkpoint c) {
            out.remove("inlineParameters");
            try {
                float[] flat = CheckpointParameters.read(c, blobs);
                Map<String, float[]> blocks = CheckpointParameters.byBlock(c, flat);
                Map<String, Object> params = new LinkedHashMap<>();
                for (ParameterBlock b : c.getLayout()) {
                    params.put(b.getName(), nest(blocks.get(b.getName()), b.getShape(), 0, 0));
                }
                out.put("parameters", params);
            } catch (BlobException | IllegalArgumentException e) {
                out.put("parametersError", e.getMessage());
            }
        }
        return out;
    }

    private static Map<String, Object> record(IndexedRecord r) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (Schema.Field f : r.getSchema().getFields()) {
            out.put(f.name(), value(r.get(f.pos())));
        }
        return out;
    }

    private static Object value(Object v) {
        if (v == null || v instanceof Number || v instanceof Boolean) {
            return v instanceof Double d && !Double.isFinite(d) ? d.toString() : v;
        }
        if (v instanceof Instant i) {
            return i.toString();
        }
        if (v instanceof ByteBuffer b) {
            ByteBuffer d = b.duplicate();
            byte[] bytes = new byte[d.remaining()];
            d.get(bytes);
            return Base64.getEncoder().encodeToString(bytes);
        }
        if (v instanceof IndexedRecord r) {
            return record(r);
        }
        if (v instanceof List<?> list) {
            List<Object> out = new ArrayList<>(list.size());
            list.forEach(x -> out.add(value(x)));
            return out;
        }
        if (v instanceof Map<?, ?> map) {
            Map<String, Object> out = new LinkedHashMap<>();
            map.forEach((k, x) -> out.put(k.toString(), value(x)));
            return out;
        }
        return v.toString(); // strings, enums, fixed
    }

    /** Row-major (C order) values as nested lists of the given shape; a scalar shape gives the one value. */
    static Object nest(float[] values, List<Integer> shape, int dim, int offset) {
        if (shape.isEmpty()) {
            return values.length == 1 ? (Object) values[0] : toList(values, 0, values.length);
        }
        int size = shape.get(dim);
        if (dim == shape.size() - 1) {
            return toList(values, offset, size);
        }
        int stride = 1;
        for (int i = dim + 1; i < shape.size(); i++) {
            stride *= shape.get(i);
        }
        List<Object> out = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            out.add(nest(values, shape, dim + 1, offset + i * stride));
        }
        return out;
    }

    private static List<Float> toList(float[] values, int from, int n) {
        List<Float> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(values[from + i]);
        }
        return out;
    }
}
