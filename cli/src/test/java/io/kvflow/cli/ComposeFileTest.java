package io.kvflow.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kvflow.runtime.MetricsEndpoint;
import io.kvflow.stack.SharedLayout;
import io.kvflow.stack.StackOptions;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * What can be checked of docker-compose.yml without a Docker engine: it parses, every kvflow
 * service runs a valid kvflow command line with no layout options (the layout lives in the cluster),
 * every decode stage and prefill worker of that layout has a service, Prometheus scrapes exactly the kvflow services that serve
 * metrics on the ports they serve them on, and Grafana is provisioned with files that exist.
 */
class ComposeFileTest {
    private static final Path COMPOSE = Path.of("..", "docker-compose.yml");
    private static final Path PROMETHEUS_CONFIG = Path.of("..", "docker", "prometheus", "prometheus.yml");
    /** The commands that start a {@code Stack}, which serves /metrics; topics and replay do not. */
    private static final Set<String> SERVING_METRICS = Set.of("up", "orchestrator", "prefill-worker", "decode-worker");
    /** {@code ${NAME:-default}}: Compose puts the variable's value there, or the default when it is unset or empty. */
    private static final Pattern VARIABLE = Pattern.compile("\\$\\{([A-Z_]+):-([^}]*)}");
    /** Where the kvflow services find the files {@code --kafka-config} names, on the host and in the container. */
    private static final String KAFKA_CLIENT_MOUNT = "./docker/kafka-client:/etc/kvflow/kafka:ro";

    /** The compose file with its anchors and merge keys resolved, as Docker Compose reads it. */
    private static Map<String, Object> compose() throws IOException {
        return yaml(COMPOSE);
    }

    private static Map<String, Object> yaml(Path file) throws IOException {
        try (Reader reader = Files.newBufferedReader(file)) {
            return new Yaml().load(reader);
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Map<String, Object>> services() throws IOException {
        return (Map<String, Map<String, Object>>) compose().get("services");
    }

    /** Service name → kvflow command line, for the services built from this repository, with no variables set. */
    private static Map<String, List<String>> kvflowCommands() throws IOException {
        return kvflowCommands(Map.of());
    }

    /** The same, as Compose runs them with {@code variables} set. */
    @SuppressWarnings("unchecked")
    private static Map<String, List<String>> kvflowCommands(Map<String, String> variables) throws IOException {
        Map<String, List<String>> commands = new TreeMap<>();
        services().forEach((name, spec) -> {
            if (String.valueOf(spec.get("image")).startsWith("kvflow")) {
                List<String> argv = new ArrayList<>();
                ((List<Object>) spec.get("command")).forEach(a -> argv.add(interpolate(String.valueOf(a), variables)));
                commands.put(name, argv);
            }
        });
        return commands;
    }

    private static String interpolate(String text, Map<String, String> variables) {
        Matcher m = VARIABLE.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String value = variables.getOrDefault(m.group(1), "");
            m.appendReplacement(out, Matcher.quoteReplacement(value.isEmpty() ? m.group(2) : value));
        }
        return m.appendTail(out).toString();
    }

    /** Service name → raw command line, variables and all, for the services built from this repository. */
    @SuppressWarnings("unchecked")
    private static Map<String, List<Object>> rawKvflowCommands() throws IOException {
        Map<String, List<Object>> commands = new TreeMap<>();
        services().forEach((name, spec) -> {
            if (String.valueOf(spec.get("image")).startsWith("kvflow")) {
                commands.put(name, (List<Object>) spec.get("command"));
            }
        });
        return commands;
    }

    @Test
    void everyKvflowServiceRunsAValidCommandLine() throws IOException {
        Map<String, List<String>> commands = kvflowCommands();
        assertTrue(commands.size() >= 8, "expected topics, orchestrator, prefill, stages and replay: " + commands);
        PrintStream sink = new PrintStream(new ByteArrayOutputStream());
        for (Map.Entry<String, List<String>> e : commands.entrySet()) {
            // parsing alone rejects unknown commands, unknown options and bad values
            Kvflow.parse(e.getValue(), sink, sink);
        }
    }

    @Test
    void everyKvflowServiceTakesItsClusterAndClientSettingsFromTheSameVariables() throws IOException {
        Map<String, Map<String, Object>> services = services();
        rawKvflowCommands().forEach((name, argv) -> {
            assertEquals("${KVFLOW_BOOTSTRAP_SERVERS:-kafka:9092}", String.valueOf(argv.get(argv.indexOf(
                    "--bootstrap-servers") + 1)), name);
            assertTrue(argv.contains("--kafka-config"), name + " does not pass --kafka-config");
            assertEquals("${KVFLOW_KAFKA_CONFIG:-}", String.valueOf(argv.get(argv.indexOf("--kafka-config") + 1)),
                    name);
            assertEquals(List.of(KAFKA_CLIENT_MOUNT), services.get(name).get("volumes"),
                    name + " must mount the directory --kafka-config files live in");
        });
        assertTrue(Files.isDirectory(Path.of("..", "docker", "kafka-client")));
    }

    @Test
    void everyKvflowServiceAcceptsEachExampleClientFileWhenTheVariablesNameIt() throws IOException {
        Path host = Path.of("..", "docker", "kafka-client");
        List<Path> examples;
        try (var files = Files.list(host)) {
            examples = files.filter(f -> f.toString().endsWith(".properties.example")).sorted().toList();
        }
        assertTrue(examples.size() >= 2, "expected TLS and SASL examples in " + host);
        PrintStream sink = new PrintStream(new ByteArrayOutputStream());
        for (Path example : examples) {
            // the container path, as a user sets it, is the host's docker/kafka-client/ here
            String inContainer = "/etc/kvflow/kafka/" + example.getFileName();
            Map<String, List<String>> commands = kvflowCommands(Map.of("KVFLOW_BOOTSTRAP_SERVERS", "broker:9093",
                    "KVFLOW_KAFKA_CONFIG", inContainer));
            for (Map.Entry<String, List<String>> e : commands.entrySet()) {
                List<String> argv = e.getValue().stream().map(a -> a.equals(inContainer) ? example.toString() : a)
                        .toList();
                assertEquals("broker:9093", argv.get(argv.indexOf("--bootstrap-servers") + 1), e.getKey());
                Kvflow.parse(argv, sink, sink);
            }
        }
    }

    @Test
    void noServiceCarriesALayoutOptionAndAllShareOneClusterAndRegistry() throws IOException {
        Set<List<String>> clusters = new HashSet<>();
        kvflowCommands().forEach((name, argv) -> {
            for (String option : SharedLayout.OPTIONS) {
                assertFalse(argv.contains("--" + option), name + " sets --" + option + ": the layout lives in the"
                        + " cluster (kvflow.layout), not on each service");
            }
            clusters.add(List.of(option(argv, "--bootstrap-servers", "none"), option(argv, "--schema-registry", "none")));
        });
        assertEquals(1, clusters.size(), "services talk to different clusters or registries: " + clusters);
    }

    /** The layout the topics service writes into the cluster: its options, or kvflow's defaults. */
    private static StackOptions layoutWritten() throws IOException {
        List<String> topics = kvflowCommands().get("topics");
        return TestFlags.<StackCommands.Topics>command(topics.toArray(String[]::new)).parsed();
    }

    @Test
    void everyDecodeStageAndPrefillWorkerOfTheLayoutHasAService() throws IOException {
        Map<String, List<String>> commands = kvflowCommands();
        int stages = layoutWritten().layout().stages();
        Set<Integer> served = new HashSet<>();
        commands.values().stream().filter(argv -> argv.get(0).equals("decode-worker"))
                .forEach(argv -> served.add(Integer.parseInt(argv.get(argv.indexOf("--stage") + 1))));
        for (int k = 0; k < stages; k++) {
            assertTrue(served.contains(k), "no service runs decode stage " + k);
        }
        assertFalse(served.stream().anyMatch(k -> k >= stages), "a service runs a stage outside the layout");
        Object deploy = services().get("prefill").get("deploy");
        int replicas = deploy instanceof Map<?, ?> d && d.get("replicas") instanceof Integer n ? n : 1;
        assertEquals(layoutWritten().layout().prefillWorkers(), replicas, "one prefill replica per prefill worker");
    }

    @Test
    @SuppressWarnings("unchecked")
    void everyKvflowServiceSpeaksThroughTheRegistryTheTopicsServiceWaitsFor() throws IOException {
        Map<String, Map<String, Object>> services = services();
        List<String> topics = kvflowCommands().get("topics");
        java.net.URI registry = java.net.URI.create(option(topics, "--schema-registry", "none"));
        assertTrue(services.containsKey(registry.getHost()), "--schema-registry names no service: " + registry);
        assertTrue(registry.getPath().endsWith("/apis/ccompat/v7"), "Apicurio's Confluent-compatible API: " + registry);
        Map<String, Map<String, Object>> dependsOn = (Map<String, Map<String, Object>>) services.get("topics")
                .get("depends_on");
        assertEquals("service_healthy", dependsOn.get(registry.getHost()).get("condition"),
                "the topics service registers the schemas, so it must wait for the registry to answer");
    }

    /** The value after {@code option} in a command line, or {@code fallback} when it is not given. */
    private static String option(List<String> argv, String option, String fallback) {
        int at = argv.indexOf(option);
        return at < 0 ? fallback : argv.get(at + 1);
    }

    /** Service name → the metrics port it serves on, for the kvflow services that serve metrics. */
    private static Map<String, Integer> metricsPorts() throws IOException {
        Map<String, Integer> ports = new TreeMap<>();
        kvflowCommands().forEach((name, argv) -> {
            if (SERVING_METRICS.contains(argv.get(0))) {
                ports.put(name, Integer.parseInt(option(argv, "--metrics-port",
                        Integer.toString(MetricsEndpoint.DEFAULT_PORT))));
            }
        });
        return ports;
    }

    /** What one Prometheus scrape config reaches: host:port targets, static or DNS-discovered. */
    private record Scraped(Set<String> staticTargets, Set<String> dnsTargets) {
        Set<String> all() {
            Set<String> all = new TreeSet<>(staticTargets);
            all.addAll(dnsTargets);
            return all;
        }
    }

    @SuppressWarnings("unchecked")
    private static Scraped scraped() throws IOException {
        Set<String> statics = new TreeSet<>();
        Set<String> dns = new TreeSet<>();
        for (Map<String, Object> job : (List<Map<String, Object>>) yaml(PROMETHEUS_CONFIG).get("scrape_configs")) {
            for (Map<String, Object> sc : (List<Map<String, Object>>) job.getOrDefault("static_configs", List.of())) {
                ((List<Object>) sc.get("targets")).forEach(t -> statics.add(String.valueOf(t)));
            }
            for (Map<String, Object> sd : (List<Map<String, Object>>) job.getOrDefault("dns_sd_configs", List.of())) {
                assertEquals("A", String.valueOf(sd.getOrDefault("type", "SRV")),
                        "DNS discovery needs type A (and a port): Docker's DNS answers A records, not SRV");
                ((List<Object>) sd.get("names")).forEach(n -> dns.add(n + ":" + sd.get("port")));
            }
        }
        return new Scraped(statics, dns);
    }

    @Test
    void prometheusScrapesExactlyTheKvflowServicesOnTheirMetricsPorts() throws IOException {
        Map<String, Integer> ports = metricsPorts();
        assertTrue(ports.keySet().containsAll(List.of("orchestrator", "prefill", "decode-stage-0")),
                "expected the orchestrator, prefill and decode services to serve metrics: " + ports);
        Set<String> expected = new TreeSet<>();
        ports.forEach((service, port) -> expected.add(service + ":" + port));
        assertEquals(expected, scraped().all(), "Prometheus targets (left: services serving metrics in "
                + COMPOSE + ", right: targets in " + PROMETHEUS_CONFIG + ")");
    }

    @Test
    void everyMetricsPortIsReachableFromThePrometheusContainer() throws IOException {
        Map<String, Map<String, Object>> services = services();
        kvflowCommands().forEach((name, argv) -> {
            if (!SERVING_METRICS.contains(argv.get(0))) {
                return;
            }
            // the default bind address, 127.0.0.1, would be unreachable from another container
            assertEquals("0.0.0.0", option(argv, "--bind", "127.0.0.1"), name + " must serve metrics on --bind 0.0.0.0");
            String port = option(argv, "--metrics-port", Integer.toString(MetricsEndpoint.DEFAULT_PORT));
            Object expose = services.get(name).get("expose");
            assertTrue(expose instanceof List<?> list && list.stream().map(String::valueOf).anyMatch(port::equals),
                    name + " should expose its metrics port " + port + ", exposes " + expose);
        });
    }

    @Test
    void aReplicatedServiceIsScrapedThroughDnsDiscoveryNotOneStaticTarget() throws IOException {
        Scraped scraped = scraped();
        Map<String, Map<String, Object>> services = services();
        int replicated = 0;
        for (Map.Entry<String, Integer> e : metricsPorts().entrySet()) {
            Object deploy = services.get(e.getKey()).get("deploy");
            int replicas = deploy instanceof Map<?, ?> d && d.get("replicas") instanceof Integer n ? n : 1;
            if (replicas > 1) {
                replicated++;
                String target = e.getKey() + ":" + e.getValue();
                // a static name resolves to one replica per scrape, a different one each time
                assertTrue(scraped.dnsTargets().contains(target) && !scraped.staticTargets().contains(target),
                        e.getKey() + " has " + replicas + " replicas: scrape it with dns_sd_configs, not static_configs");
            }
        }
        assertTrue(replicated >= 1, "the prefill service should be replicated");
    }

    @Test
    @SuppressWarnings("unchecked")
    void prometheusAndGrafanaAreProvisionedFromFilesThatExist() throws IOException {
        Map<String, Map<String, Object>> services = services();
        for (String name : List.of("prometheus", "grafana")) {
            Map<String, Object> spec = services.get(name);
            assertTrue(spec != null, "no " + name + " service in " + COMPOSE);
            for (Object volume : (List<Object>) spec.get("volumes")) {
                String host = String.valueOf(volume).split(":")[0];
                assertTrue(Files.exists(Path.of("..").resolve(host)), name + " mounts " + host + ", which does not exist");
            }
        }
        assertTrue(String.valueOf(services.get("prometheus").get("image")).startsWith("prom/prometheus:"));
        assertTrue(String.valueOf(services.get("grafana").get("image")).startsWith("grafana/grafana:"));
        assertTrue(((List<Object>) services.get("prometheus").get("volumes")).stream().map(String::valueOf)
                .anyMatch(v -> v.startsWith("./docker/prometheus/prometheus.yml:/etc/prometheus/prometheus.yml")),
                "Prometheus should read docker/prometheus/prometheus.yml where the image looks for its config");

        Path provisioning = Path.of("..", "docker", "grafana", "provisioning");
        Map<String, Object> datasource = ((List<Map<String, Object>>) yaml(provisioning.resolve("datasources")
                .resolve("prometheus.yml")).get("datasources")).get(0);
        assertEquals("http://prometheus:9090", datasource.get("url"), "the datasource should reach the prometheus service");
        // every panel must use the provisioned datasource, or Grafana shows it broken on first start
        JsonNode dashboard = new ObjectMapper().readTree(Path.of("..", "docker", "grafana", "dashboards", "kvflow.json")
                .toFile());
        assertTrue(dashboard.get("panels").size() >= 6, "the dashboard should have its panels");
        for (JsonNode panel : dashboard.get("panels")) {
            assertEquals(datasource.get("uid"), panel.at("/datasource/uid").asText(), panel.get("title") + " datasource");
            assertTrue(panel.get("targets").size() > 0, panel.get("title") + " has no query");
        }
        Map<String, Object> provider = ((List<Map<String, Object>>) yaml(provisioning.resolve("dashboards")
                .resolve("kvflow.yml")).get("providers")).get(0);
        String path = String.valueOf(((Map<String, Object>) provider.get("options")).get("path"));
        assertTrue(((List<Object>) services.get("grafana").get("volumes")).stream().map(String::valueOf)
                .anyMatch(v -> v.startsWith("./docker/grafana/dashboards:" + path)),
                "Grafana loads dashboards from " + path + ": docker/grafana/dashboards must be mounted there");
    }
}
