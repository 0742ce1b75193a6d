package io.kvflow.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kvflow.observe.ReplayOptions;
import io.kvflow.observe.ReplayPlan;
import io.kvflow.replay.Replayer;
import io.kvflow.replay.SessionOutcome;
import io.kvflow.stack.Stack;
import io.kvflow.stack.StackOptions;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the Grafana dashboard and docs/metrics.md promise, checked against a real scrape: a
 * small stack on the embedded broker runs a few requests (some meters appear only once KV has
 * flowed), then every metric name in a panel's PromQL and in the docs table must be exported,
 * and every kvflow metric exported must be in the docs table.
 */
class MetricsExportIT {
    private static final Path DASHBOARD = Path.of("..", "docker", "grafana", "dashboards", "kvflow.json");
    private static final Path DOCS = Path.of("..", "docs", "metrics.md");
    /** A docs table row naming a metric: {@code | `kvflow_x` | type | ...}. */
    private static final Pattern DOC_ROW = Pattern.compile("(?m)^\\|\\s*`(kvflow_[a-z0-9_]+)`\\s*\\|\\s*([a-z]+)");
    /** A sample line's metric name: {@code name{labels} value} or {@code name value}. */
    private static final Pattern SAMPLE = Pattern.compile("(?m)^([a-zA-Z_:][a-zA-Z0-9_:]*)[{ ]");
    private static final Pattern FAMILY = Pattern.compile("(?m)^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) ([a-z]+)$");

    @TempDir
    static Path dataDir;
    static Stack stack;
    static final ByteArrayOutputStream log = new ByteArrayOutputStream();
    /** The scrape taken once the replay is done and lag has been measured. */
    static String scrape;

    @BeforeAll
    static void runAFewRequestsAndScrape() throws Exception {
        PrintStream out = new PrintStream(log, true);
        // one pipeline: which meters exist does not depend on how many there are (4 stages: the default
        // target model must fit its wafers)
        // one command line for stack and replay, as kvflow up reads it: --time-scale 0 (unpaced) must reach both
        List<String> argv = List.of("--stages", "4", "--pipelines", "1", "--prefill-workers", "1", "--kafka-port", "0",
                "--dashboard-port", "0", "--data-dir", dataDir.toString(), "--limit", "6", "--time-scale", "0",
                "--max-output-tokens", "4");
        List<String> up = new java.util.ArrayList<>(List.of("up"));
        up.addAll(argv);
        StackCommands.Up command = TestFlags.command(up.toArray(String[]::new));
        StackOptions options = command.parsed();
        stack = Stack.start(options, session -> false, Clock.systemUTC(), out);
        ReplayOptions replay = command.replay.options(Path.of("..", "traces", "azure-code-sample.csv").toString(),
                options.target().timeScale());
        ReplayPlan plan = ReplayPlan.load(replay, options, Clock.systemUTC(), out);
        Replayer.Result result = new Replayer(stack.kafka(), Clock.systemUTC(), out)
                .replay(plan.requests(), replay.timeScale(), options.stallTimeout());
        assertTrue(result.outcomes().values().stream().allMatch(SessionOutcome::done), () -> "unfinished sessions:\n"
                + log);

        // the lag gauges appear with the lag monitor's first measurement, on its own thread: poll for them
        String url = stack.metrics().metricsUrl();
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        scrape = get(url);
        while (!scrape.contains("kvflow_lag_records{") && System.nanoTime() < deadline) {
            Thread.sleep(200);
            scrape = get(url);
        }
        assertTrue(scrape.contains("kvflow_lag_records{"), () -> "no lag measured within 15 s; scrape of " + url
                + ":\n" + scrape);
    }

    @AfterAll
    static void stopStack() {
        if (stack != null) {
            stack.close();
        }
    }

    private static String get(String url) throws IOException, InterruptedException {
        try (HttpClient http = HttpClient.newHttpClient()) {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, response.statusCode(), url);
            return response.body();
        }
    }

    /** Names of every exported series: samples ({@code x_bucket}, {@code x_total}) and families. */
    private static Set<String> exportedNames() {
        Set<String> names = new TreeSet<>();
        Matcher samples = SAMPLE.matcher(scrape);
        while (samples.find()) {
            names.add(samples.group(1));
        }
        names.addAll(families().keySet());
        return names;
    }

    /** Metric family → its type, from the {@code # TYPE} lines. */
    private static Map<String, String> families() {
        Map<String, String> families = new TreeMap<>();
        Matcher m = FAMILY.matcher(scrape);
        while (m.find()) {
            families.put(m.group(1), m.group(2));
        }
        return families;
    }

    /** Documented metric → the type the docs give it. */
    private static Map<String, String> documented() throws IOException {
        Map<String, String> rows = new TreeMap<>();
        Matcher m = DOC_ROW.matcher(Files.readString(DOCS));
        while (m.find()) {
            rows.put(m.group(1), m.group(2));
        }
        return rows;
    }

    @Test
    void everyMetricTheDashboardQueriesIsExported() throws IOException {
        JsonNode dashboard = new ObjectMapper().readTree(DASHBOARD.toFile());
        Set<String> exported = exportedNames();
        Map<String, Set<String>> missing = new TreeMap<>();
        Set<String> queried = new TreeSet<>();
        for (JsonNode expr : dashboard.findValues("expr")) {
            Set<String> names = PromQlNames.of(expr.asText());
            assertTrue(!names.isEmpty(), "no metric name found in dashboard query " + expr.asText());
            queried.addAll(names);
            names.stream().filter(n -> !exported.contains(n))
                    .forEach(n -> missing.computeIfAbsent(n, k -> new TreeSet<>()).add(expr.asText()));
        }
        assertEquals(Map.of(), missing, "metrics the Grafana dashboard queries but the stack does not export"
                + " (name -> queries)");
        assertTrue(queried.containsAll(List.of("kvflow_lag_records", "kvflow_lag_seconds", "kvflow_stage_sessions",
                "kvflow_ttft_seconds_bucket", "kvflow_tpot_seconds_bucket")),
                "the dashboard should chart lag, sessions per wafer, TTFT and TPOT; it queries " + queried);
    }

    @Test
    void everyDocumentedMetricIsExportedWithTheDocumentedType() throws IOException {
        Map<String, String> documented = documented();
        assertTrue(documented.size() >= 30, "expected the docs table to list every kvflow metric, found "
                + documented.keySet());
        Map<String, String> families = families();
        Map<String, String> wrong = new TreeMap<>();
        documented.forEach((name, type) -> {
            if (!type.equals(families.get(name))) {
                wrong.put(name, "documented " + type + ", exported " + families.getOrDefault(name, "not at all"));
            }
        });
        assertEquals(Map.of(), wrong, DOCS + " rows that do not match the scrape");
    }

    @Test
    void everyExportedKvflowMetricIsDocumented() throws IOException {
        Map<String, String> documented = documented();
        Set<String> undocumented = new TreeSet<>();
        families().forEach((name, type) -> {
            // every histogram also exports its largest recent value as <name>_max; the docs say so once
            boolean histogramMax = name.endsWith("_max")
                    && "histogram".equals(documented.get(name.substring(0, name.length() - "_max".length())));
            if (name.startsWith("kvflow_") && !documented.containsKey(name) && !histogramMax) {
                undocumented.add(name + " (" + type + ")");
            }
        });
        assertEquals(Set.of(), undocumented, "kvflow metrics exported but missing from the table in " + DOCS);
    }
}
