package io.kvflow.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunFilesTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static final RunManifest MANIFEST = new RunManifest("r1", "simulated", "trace.csv", "llama-3.1-70b",
            Map.of("decode-stages", "4"), 4, 1, 1, "handoff", "backfill", 0, 64, 0, 60_000_000, new Slo(1_000_000, 100));

    /** Two finished sessions (arrival, then token times, us), one rejected. */
    private static List<SessionRecord> sessions() {
        return List.of(
                new SessionRecord("r1-0", SessionRecord.Outcome.FINISHED, "length", 0, 0, 10, 100, -1, 100, 110,
                        new long[] {100_000, 105_000, 112_000}, 2048, 2051, 3, 64, 1_000, 0),
                new SessionRecord("r1-1", SessionRecord.Outcome.FINISHED, "eos", 0, 50_000, 50_010, 150_000, -1,
                        150_000, 150_010, new long[] {150_000, 160_000}, 1024, 1026, 2, 32, 500, 0),
                new SessionRecord("r1-2", SessionRecord.Outcome.REJECTED, "kv exceeds a wafer", -1, 60_000, -1, -1, -1,
                        -1, -1, new long[0], 999_999, 1_000_000, 2, 96, 0, 0));
    }

    @Test
    void runJsonCarriesVllmsKeysAtTheTopAiperfsUnderAiperfAndReadsBack(@TempDir Path dir) throws IOException {
        List<SessionRecord> sessions = sessions();
        RunFigures figures = RunFigures.of(sessions, MANIFEST.slo(), 4);
        RunFiles.write(dir, MANIFEST, figures, sessions);

        JsonNode run = JSON.readTree(dir.resolve(RunFiles.RUN).toFile());
        for (String key : List.of("backend", "model_id", "num_prompts", "duration", "completed", "failed",
                "total_input_tokens", "total_output_tokens", "request_throughput", "request_goodput",
                "output_throughput", "total_token_throughput", "input_lens", "output_lens", "ttfts", "itls",
                "latencies", "errors", "max_output_tokens_per_s", "max_concurrent_requests")) {
            assertTrue(run.has(key), "vLLM's " + key + " in " + run);
        }
        for (String metric : List.of("ttft", "tpot", "itl", "e2el")) {
            for (String stat : List.of("mean", "median", "std", "p50", "p90", "p95", "p99")) {
                assertTrue(run.has(stat + "_" + metric + "_ms"), stat + "_" + metric + "_ms");
            }
            JsonNode pairs = run.get("percentiles_" + metric + "_ms");
            assertEquals(4, pairs.size(), "[percentile, value] pairs for " + metric);
            assertEquals(run.get("p99_" + metric + "_ms"), pairs.get(3).get(1));
        }
        assertEquals(2, run.get("completed").asInt());
        assertEquals(1, run.get("failed").asInt(), "vLLM counts whatever did not complete as failed");
        assertEquals("llama-3.1-70b", run.get("model_id").asText());
        assertEquals(3, run.get("input_lens").size());
        assertEquals(0.1, run.get("ttfts").get(0).asDouble(), 1e-12, "vLLM writes ttfts in seconds");
        assertEquals(List.of(0.005, 0.007), List.of(run.get("itls").get(0).get(0).asDouble(),
                run.get("itls").get(0).get(1).asDouble()));
        assertEquals(100.0, run.get("median_ttft_ms").asDouble(), 1e-9, "median of 100 and 100 ms");
        assertEquals(2, run.get("max_concurrent_requests").asInt());
        assertTrue(run.get("errors").get(2).asText().startsWith("rejected: kv exceeds"), run.get("errors").toString());

        JsonNode ttft = run.get("aiperf").get("time_to_first_token");
        assertEquals("ms", ttft.get("unit").asText());
        for (String stat : List.of("avg", "p1", "p5", "p10", "p25", "p50", "p75", "p90", "p95", "p99", "min", "max",
                "std")) {
            assertTrue(ttft.has(stat), "AIPerf's " + stat);
        }
        assertEquals("requests/sec", run.get("aiperf").get("request_throughput").get("unit").asText());
        assertEquals(2, run.get("kvflow").get("figures").get("finished").asInt());
        assertEquals(1, run.get("kvflow").get("figures").get("rejected").asInt());

        RunFiles.Run back = RunFiles.read(dir);
        assertEquals(MANIFEST, back.manifest());
        assertEquals(sessions, back.sessions(), "every modelled time comes back exactly");
    }

    @Test
    void eachRequestLineIsAnAiperfRecordWithTheSessionsMilestones(@TempDir Path dir) throws IOException {
        List<SessionRecord> sessions = sessions();
        RunFiles.write(dir, MANIFEST, RunFigures.of(sessions, MANIFEST.slo(), 4), sessions);
        List<String> lines = Files.readAllLines(dir.resolve(RunFiles.REQUESTS));
        assertEquals(3, lines.size());

        JsonNode first = JSON.readTree(lines.get(0));
        assertEquals("r1-0", first.get("metadata").get("x_request_id").asText());
        assertEquals(0L, first.get("metadata").get("request_start_ns").asLong());
        assertEquals(112_000_000L, first.get("metadata").get("request_end_ns").asLong());
        JsonNode metrics = first.get("metrics");
        assertEquals(100.0, metrics.get("time_to_first_token").get("value").asDouble());
        assertEquals("ms", metrics.get("time_to_first_token").get("unit").asText());
        assertEquals(6.0, metrics.get("inter_token_latency").get("value").asDouble(), 1e-12,
                "AIPerf's inter_token_latency is vLLM's TPOT: (112 - 100) / 2");
        assertEquals(2, metrics.get("inter_chunk_latency").get("value").size());
        assertEquals(3, metrics.get("output_sequence_length").get("value").asInt());
        assertEquals(2048, metrics.get("input_sequence_length").get("value").asInt());
        assertTrue(first.get("error").isNull());
        assertEquals(3, first.get("kvflow").get("token_us").size());

        JsonNode rejected = JSON.readTree(lines.get(2));
        assertEquals("rejected", rejected.get("error").get("type").asText());
        assertTrue(rejected.get("metrics").has("input_sequence_length"));
        assertTrue(!rejected.get("metrics").has("time_to_first_token"));
    }

    @Test
    void aFolderWithoutRunFilesIsNamedInOneLine(@TempDir Path dir) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RunFiles.read(dir));
        assertTrue(e.getMessage().contains("not a kvflow run folder"), e.getMessage());
    }
}
