package dev.spectroscope.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class CommandLineTest {

    private record Run(int code, String out, String err) {
    }

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = SpectroscopeCommand.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int code = cli.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void helpListsEverySubcommandOnOneLine() {
        Run help = run("--help");
        assertEquals(0, help.code());
        List<String> lines = help.out().lines().toList();
        int commands = lines.indexOf("Commands:");
        assertTrue(commands > 0, help.out());
        CommandLine cli = SpectroscopeCommand.commandLine();
        for (String name : cli.getSubcommands().keySet()) {
            String line = lines.stream().filter(l -> l.startsWith("  " + name + " ")).findFirst()
                    .orElseThrow(() -> new AssertionError(name + " missing from\n" + help.out()));
            int at = lines.indexOf(line);
            String next = at + 1 < lines.size() ? lines.get(at + 1) : "";
            assertTrue(next.isBlank() || next.matches("  [a-z].*"), name + "'s description wraps: " + next);
        }
    }

    @Test
    void everyOptionCanComeFromTheEnvironmentAndTheCommandLineWins() {
        java.util.Map<String, String> env = java.util.Map.of("SPECTROSCOPE_BOOTSTRAP_SERVERS", "kafka-1:9092",
                "SPECTROSCOPE_HTTP_PORT", "8081", "SPECTROSCOPE_CHAIN_WAIT", "15");
        CommandLine cli = SpectroscopeCommand.commandLine(env::get);
        CommandLine.ParseResult parsed = cli.parseArgs("process", "--chain-wait", "30");
        ProcessCommand process = parsed.subcommand().commandSpec().commandLine().getCommand();
        assertEquals("kafka-1:9092", process.bootstrapServers, "a required option satisfied by the environment");
        assertEquals(8081, process.httpPort);
        assertEquals(30, process.chainWaitSeconds, "the command line over the environment");
        assertEquals("SPECTROSCOPE_KAFKA_CONFIG", EnvironmentDefaults.variable(cli.getSubcommands().get("process")
                .getCommandSpec().findOption("--kafka-config")));
    }

    @Test
    void anUnreadableKafkaConfigIsAClearErrorThatNamesTheFile() {
        Run r = run("process", "--bootstrap-servers", "127.0.0.1:1", "--kafka-config", "/nonexistent/tls.properties");
        assertEquals(1, r.code(), r.err());
        assertTrue(r.err().contains("--kafka-config /nonexistent/tls.properties cannot be read"), r.err());
    }

    @Test
    void anUnknownFlagIsAClearErrorWithExitCode2() {
        Run bad = run("broker", "--prot", "9093");
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains("--prot"), bad.err());
        assertTrue(bad.err().contains("spectroscope broker --help"), bad.err());
    }

    @Test
    void anUnknownSubcommandIsAClearError() {
        Run bad = run("brokr");
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains("brokr"), bad.err());
        assertTrue(bad.err().contains("broker"), "suggests the near match: " + bad.err());
    }

    @Test
    void aBadValueSaysWhichOption() {
        Run bad = run("broker", "--port", "lots");
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains("--port"), bad.err());
    }

    @Test
    void topicsCreateWithoutClusterSaysWhatIsMissing() {
        Run bad = run("topics", "--create");
        assertEquals(1, bad.code());
        assertTrue(bad.err().contains("--bootstrap-servers"), bad.err());
    }

    @Test
    void validatePrintsTheDocumentedJsonKeys() throws Exception {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        java.io.PrintStream saved = System.out;
        int code;
        try (java.io.PrintStream capture = new java.io.PrintStream(bytes, true, java.nio.charset.StandardCharsets.UTF_8)) {
            System.setOut(capture);
            code = SpectroscopeCommand.commandLine().execute("validate", "normal-crossing", "--k", "1,2", "--json");
        } finally {
            System.setOut(saved);
        }
        assertEquals(0, code);
        com.fasterxml.jackson.databind.JsonNode json = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(bytes.toString(java.nio.charset.StandardCharsets.UTF_8));
        for (String key : List.of("lambda_true", "m_true", "lambda_hat", "lambda_hat_std", "m_hat", "m_hat_std",
                "chains", "draws", "seconds", "sgld_steps_per_second", "diagnostics")) {
            assertTrue(json.has(key), key + " missing from " + json);
        }
        assertEquals(0.25, json.get("lambda_true").asDouble(), 0.0);
        assertEquals(1, json.get("m_true").asInt());
        // Normal crossing k = (1, 2): λ = 1/4; the estimator must land within 20% of it.
        assertEquals(0.25, json.get("lambda_hat").asDouble(), 0.05);
        assertTrue(json.get("diagnostics").isArray());
        // The family samples a ladder with replica exchange; swaps between neighbouring rungs must be happening.
        assertTrue(json.get("swap_acceptance").asDouble() > 0.2, "swap_acceptance in " + json);
    }

    @Test
    void validateDlnTakesTheCentreByName() {
        Run bad = run("validate", "dln", "--widths", "3,2,3", "--rank", "1", "--centre", "sideways");
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains("--centre") && bad.err().contains("TRAINED"), bad.err());
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        java.io.PrintStream saved = System.out;
        int code;
        try (java.io.PrintStream capture = new java.io.PrintStream(bytes, true, java.nio.charset.StandardCharsets.UTF_8)) {
            System.setOut(capture);
            code = SpectroscopeCommand.commandLine().execute("validate", "dln", "--widths", "3,2,3", "--rank", "1",
                    "--centre", "trained", "--json");
        } finally {
            System.setOut(saved);
        }
        assertEquals(0, code);
        String out = bytes.toString(java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(out.contains("(trained centre)"), out);
    }

    @Test
    void versionComesFromTheBuild() {
        Run version = run("--version");
        assertEquals(0, version.code());
        assertTrue(version.out().startsWith("spectroscope "), version.out());
    }
}
