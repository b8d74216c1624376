package dev.spectroscope.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's demo command, headless, as a user runs it through the launcher. */
class DemoCommandIT {

    @TempDir
    Path work;

    @Test
    void headlessDemoStreamsARunThroughTheBrokerAndExitsZero() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path log = work.resolve("demo.log");
        Process demo = new ProcessBuilder(Path.of("..", "bin", "spectroscope").toAbsolutePath().normalize().toString(),
                "demo", "--headless", "--port", Integer.toString(port), "--data-dir", work.resolve("kafka").toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        assertTrue(demo.waitFor(120, TimeUnit.SECONDS), "demo did not finish in 120 s");
        String out = Files.readString(log, StandardCharsets.UTF_8);
        assertEquals(0, demo.exitValue(), out);
        assertTrue(out.contains("read back 102 events"), out);
    }
}
