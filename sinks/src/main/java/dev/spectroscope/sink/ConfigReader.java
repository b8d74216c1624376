package dev.spectroscope.sink;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reads one YAML mapping with the path of every key in its errors, and refuses keys it was not asked for:
 * a misspelt key in sinks.yaml is an error at start-up, not a silently ignored setting.
 */
final class ConfigReader {

    private final JsonNode node;
    private final String path;
    private final Set<String> read = new TreeSet<>();

    ConfigReader(JsonNode node, String path) {
        if (node != null && !node.isNull() && !node.isObject()) {
            throw new IllegalArgumentException(path + " must be a mapping of keys to values, was: " + node);
        }
        this.node = node;
        this.path = path;
    }

    String text(String key, String fallback) {
        JsonNode v = value(key);
        if (v == null) {
            return fallback;
        }
        if (!v.isValueNode()) {
            throw new IllegalArgumentException(where(key) + " must be a single value, was: " + v);
        }
        return v.asText();
    }

    long number(String key, long fallback) {
        JsonNode v = value(key);
        if (v == null) {
            return fallback;
        }
        if (!v.canConvertToLong() && !(v.isTextual() && v.asText().matches("-?\\d+"))) {
            throw new IllegalArgumentException(where(key) + " must be a whole number, was: " + v);
        }
        return v.isTextual() ? Long.parseLong(v.asText()) : v.asLong();
    }

    boolean flag(String key, boolean fallback) {
        JsonNode v = value(key);
        if (v == null) {
            return fallback;
        }
        if (!v.isBoolean() && !(v.isTextual() && v.asText().matches("true|false"))) {
            throw new IllegalArgumentException(where(key) + " must be true or false, was: " + v);
        }
        return v.isBoolean() ? v.asBoolean() : Boolean.parseBoolean(v.asText());
    }

    Map<String, String> strings(String key) {
        JsonNode v = value(key);
        Map<String, String> out = new LinkedHashMap<>();
        if (v == null) {
            return out;
        }
        if (!v.isObject()) {
            throw new IllegalArgumentException(where(key) + " must be a mapping of names to values, was: " + v);
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = v.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            out.put(e.getKey(), e.getValue().asText());
        }
        return out;
    }

    ConfigReader section(String key) {
        return new ConfigReader(value(key), where(key));
    }

    List<ConfigReader> list(String key) {
        JsonNode v = value(key);
        List<ConfigReader> out = new ArrayList<>();
        if (v == null) {
            return out;
        }
        if (!v.isArray()) {
            throw new IllegalArgumentException(where(key) + " must be a list, was: " + v);
        }
        for (int i = 0; i < v.size(); i++) {
            out.add(new ConfigReader(v.get(i), where(key) + "[" + i + "]"));
        }
        return out;
    }

    String where(String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    /** Fails on any key present that no call above asked for. */
    void rejectUnknownKeys() {
        if (node == null || node.isNull()) {
            return;
        }
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!read.contains(key)) {
                throw new IllegalArgumentException("unknown setting '" + where(key) + "'; the keys known "
                        + (path.isEmpty() ? "at the top level" : "under " + path) + " are " + read);
            }
        }
    }

    private JsonNode value(String key) {
        read.add(key);
        if (node == null || node.isNull()) {
            return null;
        }
        JsonNode v = node.get(key);
        return v == null || v.isNull() ? null : v;
    }
}
