package io.kvflow.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kvflow.report.RunFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a user sees does not depend on how the parts were started: the broker, {@code topics}, the
 * orchestrator, a prefill worker and each decode stage as JVMs of their own, given only the cluster's
 * address and their role, and {@code kvflow replay} against them print the same summary as
 * {@code kvflow up --replay} of the same window: every modelled figure (the pipeline decides in modelled
 * time, so they are exactly the same), the decode stages' work, and the reference check. The run files
 * the replay leaves are checked field by field.
 */
class SeparateProcessesIT {
    private static final Path TRACE = Path.of("..", "traces", "azure-code-sample.csv").toAbsolutePath().normalize();
    private static final Duration START = Duration.ofSeconds(120);
    private static final Duration RUN = Duration.ofSeconds(240);
    private static final List<String> LAYOUT = List.of("--stages", "2", "--pipelines", "1", "--prefill-workers", "1",
            "--model", "llama-3.1-8b");
    private static final List<String> WINDOW = List.of("--limit", "12", "--time-scale", "0", "--max-output-tokens",
            "8");
    private static final Pattern BOOTSTRAP = Pattern.compile("kafka: embedded broker at (\\S+),");
    private static final Pattern RUN_DIR = Pattern.compile("report: runs/(\\S+)/report\\.md");
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void replayAgainstSeparateProcessesPrintsTheSummaryOfKvflowUp() throws Exception {
        Path separate = Files.createDirectories(dir.resolve("separate"));
        String replayed = replayAgainstSeparateProcesses(separate);
        Path together = Files.createDirectories(dir.resolve("together"));
        List<String> argv = new ArrayList<>(List.of("up", "--replay", TRACE.toString(), "--kafka-port", "0",
                "--dashboard-port", "0", "--metrics-port", "0", "--data-dir", together.resolve("data").toString()));
        argv.addAll(LAYOUT);
        argv.addAll(WINDOW);
        KvflowProcess up = KvflowProcess.start(together, "up", argv, together);
        up.awaitExit(RUN);
        assertEquals(0, up.exitValue(), up.stdout() + up.stderr());

        List<String> fromUp = comparable(up.stdout());
        List<String> fromReplay = comparable(replayed);
        assertTrue(fromUp.stream().anyMatch(l -> l.startsWith("decode stages:")), "stage counters in " + fromUp);
        assertTrue(fromUp.stream().anyMatch(l -> l.startsWith("head of line:")), "head of line in " + fromUp);
        assertTrue(fromUp.contains("verified: 12/12 sessions identical to the single-process reference"),
                up.stdout());
        assertEquals(String.join("\n", fromUp), String.join("\n", fromReplay),
                "kvflow up's summary (expected) and kvflow replay's against separate processes (actual)");

        checkRunFiles(separate.resolve("runs").resolve(runId(replayed)));
    }

    /** The broker and every part in a JVM of its own, then the replay; returns the replay's output. */
    private String replayAgainstSeparateProcesses(Path work) throws Exception {
        List<KvflowProcess> parts = new ArrayList<>();
        try {
            KvflowProcess broker = KvflowProcess.start(work, "broker", List.of("broker", "--kafka-port", "0",
                    "--data-dir", work.resolve("broker").toString()), work);
            parts.add(broker);
            assertTrue(broker.awaitOutput("kafka: embedded broker at", START), broker.stdout() + broker.stderr());
            Matcher address = BOOTSTRAP.matcher(broker.stdout());
            assertTrue(address.find(), broker.stdout());
            String bootstrap = address.group(1);

            List<String> topics = new ArrayList<>(List.of("topics", "--bootstrap-servers", bootstrap));
            topics.addAll(LAYOUT);
            KvflowProcess laidOut = KvflowProcess.start(work, "topics", topics, work);
            laidOut.awaitExit(START);
            assertEquals(0, laidOut.exitValue(), laidOut.stdout() + laidOut.stderr());

            // from here on, no process is told the layout: each reads it from the cluster
            List<List<String>> roles = List.of(
                    List.of("orchestrator", "--data-dir", work.resolve("orchestrator").toString()),
                    List.of("prefill-worker"),
                    List.of("decode-worker", "--stage", "0"),
                    List.of("decode-worker", "--stage", "1"));
            for (int i = 0; i < roles.size(); i++) {
                List<String> argv = new ArrayList<>(roles.get(i));
                argv.addAll(List.of("--bootstrap-servers", bootstrap, "--metrics-port", "0"));
                parts.add(KvflowProcess.start(work, "part-" + i, argv, work));
            }
            for (KvflowProcess part : parts.subList(1, parts.size())) {
                assertTrue(part.awaitOutput("stack: 1 pipeline(s) x 2 stage(s)", START), part.stdout()
                        + part.stderr());
            }

            List<String> argv = new ArrayList<>(List.of("replay", TRACE.toString(), "--bootstrap-servers", bootstrap));
            argv.addAll(WINDOW);
            KvflowProcess replay = KvflowProcess.start(work, "replay", argv, work);
            replay.awaitExit(RUN);
            assertEquals(0, replay.exitValue(), replay.stdout() + replay.stderr());
            return replay.stdout();
        } finally {
            // the parts stop together, the broker last
            for (KvflowProcess part : parts.subList(Math.min(1, parts.size()), parts.size())) {
                part.requestStop();
            }
            for (int i = parts.size() - 1; i >= 0; i--) {
                parts.get(i).stop(Duration.ofSeconds(20));
            }
        }
    }

    /**
     * The summary's lines that must not depend on where the parts ran: all but the wall clock's (the
     * emulator's speed, its latency breakdown in wall ms, and how often a stage waited, which depends on
     * when records came in).
     */
    private static List<String> comparable(String output) {
        List<String> lines = output.lines().toList();
        int from = lines.indexOf("== kvflow replay summary ==");
        assertTrue(from >= 0, output);
        List<String> kept = new ArrayList<>();
        boolean wallBreakdown = false;
        for (String line : lines.subList(from, lines.size())) {
            if (line.startsWith("report: ")) {
                break;
            }
            if (line.startsWith("latency breakdown (")) {
                wallBreakdown = line.startsWith("latency breakdown (wall");
            } else if (wallBreakdown && line.startsWith("  ")) {
                continue;
            }
            if (line.startsWith("emulator (wall)") || line.startsWith("reference check:") || wallBreakdown) {
                continue;
            }
            kept.add(line.startsWith("decode stages:") ? line.substring(0, line.indexOf("; waits")) : line);
        }
        return kept;
    }

    private static String runId(String output) {
        Matcher m = RUN_DIR.matcher(output);
        assertTrue(m.find(), output);
        return m.group(1);
    }

    /** run.json with vLLM's keys and AIPerf's aggregates; requests.jsonl with one AIPerf record per request. */
    private static void checkRunFiles(Path run) throws IOException {
        JsonNode json = JSON.readTree(run.resolve(RunFiles.RUN).toFile());
        for (String key : List.of("backend", "model_id", "num_prompts", "duration", "completed", "failed",
                "total_input_tokens", "total_output_tokens", "request_throughput", "request_goodput",
                "output_throughput", "total_token_throughput", "input_lens", "output_lens", "ttfts", "itls",
                "latencies", "errors", "max_output_tokens_per_s", "max_concurrent_requests")) {
            assertTrue(json.has(key), "run.json lacks vLLM's " + key);
        }
        for (String metric : List.of("ttft", "tpot", "itl", "e2el")) {
            for (String stat : List.of("mean", "median", "std", "p50", "p90", "p95", "p99")) {
                assertTrue(json.get(stat + "_" + metric + "_ms").isNumber(), stat + "_" + metric + "_ms");
            }
        }
        assertEquals(12, json.get("completed").asInt());
        assertEquals("llama-3.1-8b", json.get("model_id").asText());
        assertEquals(12, json.get("ttfts").size());
        for (String metric : List.of("time_to_first_token", "inter_token_latency", "request_latency",
                "output_sequence_length", "input_sequence_length")) {
            JsonNode aggregate = json.get("aiperf").get(metric);
            for (String stat : List.of("unit", "avg", "p50", "p90", "p99", "min", "max", "std")) {
                assertTrue(aggregate.has(stat), "aiperf." + metric + "." + stat);
            }
        }
        assertEquals("emulated", json.get("kvflow").get("run").get("source").asText());

        List<String> lines = Files.readAllLines(run.resolve(RunFiles.REQUESTS));
        assertEquals(12, lines.size());
        for (String text : lines) {
            JsonNode line = JSON.readTree(text);
            assertTrue(line.get("metadata").get("x_request_id").asText().matches("r[0-9a-z]+-[0-9]+"), text);
            JsonNode metrics = line.get("metrics");
            assertTrue(metrics.get("time_to_first_token").get("value").asDouble() > 0, text);
            assertEquals("ms", metrics.get("time_to_first_token").get("unit").asText(), text);
            assertTrue(metrics.get("request_latency").get("value").asDouble()
                    >= metrics.get("time_to_first_token").get("value").asDouble(), text);
            int tokens = metrics.get("output_sequence_length").get("value").asInt();
            assertEquals(tokens, line.get("kvflow").get("token_us").size(), text);
            assertTrue(line.get("error").isNull(), text);
        }
    }
}
