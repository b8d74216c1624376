package dev.spectroscope.cli;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import picocli.CommandLine.Option;

/**
 * {@code --kafka-config FILE}: Kafka client properties (TLS, SASL/SCRAM, tuning) for every client a command
 * makes, passed through as they are. From a file, so that passwords never appear on a command line or in a
 * process list; a file that cannot be read is an error that names it.
 */
final class KafkaClientOptions {

    @Option(names = "--kafka-config", description = "Kafka client properties file (TLS, SASL, ...).")
    Path file;

    Map<String, String> properties() {
        if (file == null) {
            return Map.of();
        }
        Properties p = new Properties();
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(in);
        } catch (IOException e) {
            throw new IllegalArgumentException("--kafka-config " + file + " cannot be read: " + e.getMessage());
        }
        Map<String, String> out = new TreeMap<>();
        p.stringPropertyNames().forEach(k -> out.put(k, p.getProperty(k).strip()));
        return out;
    }
}
