package dev.spectroscope.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spectroscope.process.ProcessorSettings;
import dev.spectroscope.sink.SinksSettings;
import dev.spectroscope.topics.TopicCatalogue;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The deploy manifests held to the code: every YAML file parses; every Spectroscope container uses the one
 * image the Dockerfile names, runs a real subcommand with real options, sets only SPECTROSCOPE_* variables that
 * one of its options reads, and publishes the ports the applications listen on; the Strimzi topics are the
 * topic catalogue. A rename in code breaks this test, not a deployment.
 */
class DeployConsistencyTest {

    private static final Path ROOT = Path.of("..");
    private static final Path DEPLOY = ROOT.resolve("deploy");
    private final CommandLine cli = SpectroscopeCommand.commandLine(k -> null);

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> documents(Path file) throws IOException {
        List<Map<String, Object>> out = new ArrayList<>();
        try (Reader in = Files.newBufferedReader(file)) {
            for (Object doc : new Yaml().loadAll(in)) {
                if (doc != null) {
                    out.add((Map<String, Object>) doc);
                }
            }
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    private static <T> T at(Object node, String... path) {
        Object cur = node;
        for (String key : path) {
            cur = cur == null ? null : ((Map<String, Object>) cur).get(key);
        }
        return (T) cur;
    }

    private String image() throws IOException {
        Matcher m = Pattern.compile("docker build -t (\\S+) \\.").matcher(Files.readString(ROOT.resolve("Dockerfile")));
        assertTrue(m.find(), "the Dockerfile names its image in its first comment");
        return m.group(1);
    }

    private Set<String> variables(String subcommand) {
        Set<String> out = new HashSet<>();
        for (OptionSpec o : cli.getSubcommands().get(subcommand).getCommandSpec().options()) {
            out.add(EnvironmentDefaults.variable(o));
        }
        return out;
    }

    /** The subcommand, its options and environment, as a container would run them. */
    private void checkContainer(String where, List<String> args, Map<String, String> env) {
        assertFalse(args.isEmpty(), where + " runs no subcommand");
        String sub = args.get(0);
        assertTrue(cli.getSubcommands().containsKey(sub), where + " runs '" + sub + "', which is no subcommand");
        CommandLine.Model.CommandSpec spec = cli.getSubcommands().get(sub).getCommandSpec();
        for (String arg : args.subList(1, args.size())) {
            if (arg.startsWith("--")) {
                assertTrue(spec.findOption(arg) != null, where + ": '" + sub + "' has no option " + arg);
            }
        }
        Set<String> known = variables(sub);
        for (String name : env.keySet()) {
            if (name.startsWith(EnvironmentDefaults.PREFIX)) {
                assertTrue(known.contains(name), where + ": " + name + " is read by no option of '" + sub + "'");
            }
        }
    }

    @Test
    void everyYamlFileParses() throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.walk(DEPLOY)) {
            files = s.filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml")).toList();
        }
        assertTrue(files.size() >= 7, "compose and Kubernetes manifests: " + files);
        for (Path f : files) {
            assertFalse(documents(f).isEmpty(), f + " holds no document");
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void composeRunsRealSubcommandsWithRealSettingsAndPorts() throws IOException {
        Map<String, Object> compose = documents(DEPLOY.resolve("compose/docker-compose.yml")).get(0);
        Map<String, Object> services = at(compose, "services");
        String image = image();
        int spectroscope = 0;
        Set<Integer> kafkaNodes = new HashSet<>();
        for (Map.Entry<String, Object> e : services.entrySet()) {
            String img = at(e.getValue(), "image");
            Map<String, Object> env = at(e.getValue(), "environment");
            if (img.startsWith("apache/kafka")) {
                kafkaNodes.add(Integer.parseInt(String.valueOf(env.get("KAFKA_NODE_ID"))));
                continue;
            }
            assertEquals(image, img, e.getKey() + " uses another image than the Dockerfile builds");
            spectroscope++;
            List<String> command = at(e.getValue(), "command");
            Map<String, String> vars = new java.util.TreeMap<>();
            env.forEach((k, v) -> vars.put(k, String.valueOf(v)));
            checkContainer("compose service " + e.getKey(), command, vars);
            assertTrue(vars.containsKey("SPECTROSCOPE_BOOTSTRAP_SERVERS"), e.getKey() + " is not told where Kafka is");
            if (command.get(0).equals("sinks")) {
                assertEquals(String.valueOf(SinksSettings.DEFAULT_HTTP_PORT), vars.get("SPECTROSCOPE_HTTP_PORT"));
                assertEquals(List.of(SinksSettings.DEFAULT_HTTP_PORT + ":" + SinksSettings.DEFAULT_HTTP_PORT),
                        at(e.getValue(), "ports"), "the dashboard's port is published as the app listens");
            }
            if (command.get(0).equals("process")) {
                assertEquals(String.valueOf(ProcessorSettings.DEFAULT_HTTP_PORT), vars.get("SPECTROSCOPE_HTTP_PORT"));
            }
        }
        assertEquals(Set.of(1, 2, 3), kafkaNodes, "a three-node KRaft cluster");
        assertTrue(spectroscope >= 7, "topics, 2 process, 2 probe-worker, sinks and a training job");
        long processes = services.values().stream().filter(s -> "process".equals(((List<String>) at(s, "command")) == null
                ? null : ((List<String>) at(s, "command")).get(0))).count();
        long workers = services.values().stream().filter(s -> at(s, "command") != null
                && "probe-worker".equals(((List<String>) at(s, "command")).get(0))).count();
        assertEquals(2, processes);
        assertEquals(2, workers);
        List<String> topics = at(services.get("topics"), "command");
        assertEquals(List.of("topics", "--create", "--replication-factor", "3"), topics);
    }

    @Test
    @SuppressWarnings("unchecked")
    void kubernetesWorkloadsRunRealSubcommandsWithRealSettingsAndPorts() throws IOException {
        String image = image();
        Set<String> allVariables = new HashSet<>();
        cli.getSubcommands().keySet().stream().filter(k -> !k.equals("help")).forEach(k -> allVariables.addAll(variables(k)));
        int workloads = 0;
        try (Stream<Path> s = Files.list(DEPLOY.resolve("k8s"))) {
            for (Path f : s.filter(p -> p.toString().endsWith(".yaml")).toList()) {
                for (Map<String, Object> doc : documents(f)) {
                    String kind = at(doc, "kind");
                    if (kind.equals("ConfigMap") && "spectroscope".equals(at(doc, "metadata", "name"))) {
                        for (String key : ((Map<String, Object>) at(doc, "data")).keySet()) {
                            assertTrue(allVariables.contains(key), f + ": " + key + " is read by no option");
                        }
                    }
                    if (!kind.equals("Deployment") && !kind.equals("StatefulSet")) {
                        continue;
                    }
                    workloads++;
                    Map<String, Object> pod = at(doc, "spec", "template");
                    for (Map<String, Object> c : (List<Map<String, Object>>) at(pod, "spec", "containers")) {
                        assertEquals(image, c.get("image"), f + " uses another image than the Dockerfile builds");
                        Map<String, String> env = new java.util.TreeMap<>();
                        for (Map<String, Object> v : (List<Map<String, Object>>) c.getOrDefault("env", List.of())) {
                            env.put((String) v.get("name"), String.valueOf(v.get("value")));
                        }
                        List<String> args = (List<String>) c.get("args");
                        checkContainer(f.getFileName() + " " + at(doc, "metadata", "name"), args, env);
                        for (Map<String, Object> port : (List<Map<String, Object>>) c.getOrDefault("ports", List.of())) {
                            assertEquals(env.get("SPECTROSCOPE_HTTP_PORT"), String.valueOf(port.get("containerPort")),
                                    f + ": the container port is the one the app is told to listen on");
                            int expected = args.get(0).equals("sinks") ? SinksSettings.DEFAULT_HTTP_PORT
                                    : ProcessorSettings.DEFAULT_HTTP_PORT;
                            assertEquals(expected, port.get("containerPort"));
                        }
                        Map<String, String> annotations = at(pod, "metadata", "annotations");
                        if (annotations != null && annotations.containsKey("prometheus.io/port")) {
                            assertEquals("sinks", args.get(0), "only the sink app serves /metrics");
                            assertEquals(env.get("SPECTROSCOPE_HTTP_PORT"), annotations.get("prometheus.io/port"));
                        }
                    }
                }
            }
        }
        assertEquals(3, workloads, "process, probe-worker and sinks");
    }

    @Test
    void theStrimziTopicsAreTheTopicCatalogue() throws IOException {
        String cluster = at(documents(DEPLOY.resolve("k8s/kafka.yaml")).stream()
                .filter(d -> "Kafka".equals(d.get("kind"))).findFirst().orElseThrow(), "metadata", "name");
        assertEquals(TopicsCommand.strimziTopics(new TopicCatalogue(), cluster, (short) 3),
                Files.readString(DEPLOY.resolve("k8s/topics.yaml")),
                "regenerate with: bin/spectroscope topics --strimzi-cluster " + cluster
                        + " --replication-factor 3 > deploy/k8s/topics.yaml");
    }
}
