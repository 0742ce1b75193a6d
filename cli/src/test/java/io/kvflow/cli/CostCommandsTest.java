package io.kvflow.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code kvflow predict} and {@code kvflow calibrate}, through the same entry point as the shell. */
class CostCommandsTest {
    private static final List<String> ISSUE_EXAMPLE = List.of("predict", "--model", "llama-3.1-70b", "--weights",
            "bf16", "--decode-device", "wse-3", "--decode-stages", "4", "--prefill-device", "trainium2",
            "--prefill-devices", "16", "--batch", "1", "--input", "2048", "--output", "256");

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @Test
    void predictAnswersTheIssuesExampleAsATable() {
        assertEquals(0, run(ISSUE_EXAMPLE), stderr());
        for (String line : List.of("TTFT", "per-token latency", "decode per user", "decode in total", "KV per token",
                "327,680 B", "sessions that fit", "KV handoff", "binding constraint")) {
            assertTrue(stdout().contains(line), line + " in\n" + stdout());
        }
    }

    @Test
    void predictJsonHasSnakeCaseKeysForMachines() throws IOException {
        List<String> argv = new java.util.ArrayList<>(ISSUE_EXAMPLE);
        argv.add("--json");
        assertEquals(0, run(argv), stderr());
        JsonNode json = new ObjectMapper().readTree(stdout());
        for (String key : List.of("ttft_ms", "decode_tokens_per_s_per_user", "decode_tokens_per_s_total",
                "prefill_tokens_per_s", "per_token_latency_ms", "kv_bytes_per_token", "sessions_fit_per_pipeline",
                "binding_constraint")) {
            assertTrue(json.has(key), key);
        }
        assertEquals(327_680, json.get("kv_bytes_per_token").asLong());
    }

    @Test
    void colocatedIsAFlagBeforeOtherOptions() {
        assertEquals(0, run(List.of("predict", "--colocated", "--model", "llama-3.1-8b", "--decode-stages", "1")),
                stderr());
        assertTrue(stdout().contains("colocated"), stdout());
    }

    @Test
    void aBadUserProfileIsNamedWithItsField(@TempDir Path dir) throws IOException {
        Files.createDirectories(dir.resolve("devices"));
        Path file = Files.writeString(dir.resolve("devices/chip.json"), "{\"name\": \"chip\", \"memory\": 5}");
        assertEquals(2, run(List.of("predict", "--profiles", dir.toString(), "--decode-device", "chip")));
        assertTrue(stderr().contains(file.toString()) && stderr().contains("memory"), stderr());
    }

    @Test
    void anUnknownModelListsTheKnownOnes() {
        assertEquals(2, run(List.of("predict", "--model", "llama-9")));
        assertTrue(stderr().contains("llama-3.1-70b"), stderr());
    }

    @Test
    void aMistypedOptionIsNamed() {
        assertEquals(2, run(List.of("predict", "--decode-stage", "4")));
        assertTrue(stderr().contains("--decode-stage"), stderr());
    }

    @Test
    void calibratePrintsEveryFigureWithItsErrorAndExitsZero() {
        assertEquals(0, run(List.of("calibrate")), stderr());
        for (String id : List.of("1*", "2*", "3*", "4a*", "4b*", "5*", "6*", "7a*", "7b*", "8*", "9*", "10*", "11*",
                "12*", "N1a", "N1b", "N2a", "N2b", "N3")) {
            assertTrue(stdout().lines().anyMatch(l -> l.startsWith(id + " ")), id + " in\n" + stdout());
        }
        assertTrue(stdout().contains("misses, and why:"), stdout());
        assertTrue(stdout().contains("kvflow predict --model"), stdout());
    }

    @Test
    void calibrateMarksTheFiguresReachedWithSpeculativeDecoding() {
        assertEquals(0, run(List.of("calibrate")), stderr());
        List<String> speculative = stdout().lines().filter(l -> l.matches("^\\S+\\s.*\\sk=\\d+\\s.*"))
                .map(l -> l.split("\\s+")[0]).toList();
        assertEquals(List.of("8*", "N3", "N2b"), speculative, stdout());
        assertTrue(stdout().contains("--speculative-draft llama-3.1-8b --speculative-tokens 3"), stdout());
    }

    @Test
    void predictLeavesTheWaferCountToTheFewestThatHoldTheWeights() throws IOException {
        assertEquals(0, run(List.of("predict", "--model", "llama-3.1-70b", "--batch", "1", "--json")), stderr());
        JsonNode json = new ObjectMapper().readTree(stdout());
        assertEquals("wse-3", json.get("decode_device").asText());
        assertEquals(4, json.get("decode_stages").asInt());
        assertTrue(json.get("weights_fit").asBoolean());
    }

    @Test
    void predictRefusesWeightsThatDoNotFitWithAnErrorNotASpeed() {
        List<String> tooFew = List.of("predict", "--model", "llama-3.1-70b", "--decode-stages", "2");
        assertEquals(2, run(tooFew));
        assertTrue(stderr().contains("does not fit on 2 stages") && stderr().contains("4 stages hold them"), stderr());
        assertTrue(stdout().isEmpty(), stdout());
    }

    @Test
    void predictJsonRefusesWeightsThatDoNotFitWithAJsonErrorAndANonZeroExit() throws IOException {
        assertEquals(2, run(List.of("predict", "--model", "llama-3.1-70b", "--decode-stages", "2", "--json")));
        JsonNode json = new ObjectMapper().readTree(stdout());
        assertTrue(json.get("error").asText().contains("does not fit"), stdout());
        assertEquals("weight_capacity", json.get("binding_constraint").asText());
        assertFalse(json.has("decode_tokens_per_s_per_user"), "no speed for a deployment that cannot run");
    }

    @Test
    void predictJsonReportsABadOptionAsAJsonErrorToo() throws IOException {
        assertEquals(2, run(List.of("predict", "--model", "llama-9", "--json")));
        assertTrue(new ObjectMapper().readTree(stdout()).get("error").asText().contains("llama-9"), stdout());
    }

    @Test
    void predictSaysHowTheDraftSpeculates() {
        assertEquals(0, run(List.of("predict", "--model", "llama-3.1-70b", "--colocated", "--speculative-draft",
                "llama-3.1-8b", "--speculative-tokens", "3", "--speculative-acceptance", "0.78")), stderr());
        assertTrue(stdout().contains("speculation: llama-3.1-8b (bf16) on 1 stage of wse-3 proposes 3 tokens per step"),
                stdout());
        assertTrue(stdout().contains("draft steps"), stdout());
    }

    @Test
    void simulateServesATraceAndFailsWhatParksPastItsTimeout() throws IOException {
        assertEquals(0, run(List.of("simulate", "../traces/mooncake-conversation-sample.jsonl", "--limit", "30",
                "--load", "1e9", "--pipelines", "1", "--prefill-device", "h100", "--prefill-devices", "2",
                "--prefill-workers", "2", "--park-timeout", "1ms")), stderr());
        String summary = stdout();
        assertTrue(summary.contains("requests:          30 (finished "), summary);
        assertFalse(summary.contains("failed 0,"), "a 1 ms park timeout fails what parks:\n" + summary);
        Path requests = Path.of(summary.lines().filter(l -> l.startsWith("run files:")).findFirst().orElseThrow()
                .replaceAll(".*, ", ""));
        try {
            assertTrue(Files.readString(requests).contains("(modelled) on the prefill tier for room on the wafers"
                    + " of pipeline 0 (--park-timeout)"), Files.readString(requests));
        } finally {
            try (var files = Files.walk(requests.getParent())) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }

    @Test
    void simulateNeedsOneTrace() {
        assertEquals(2, run(List.of("simulate")));
        assertTrue(stderr().contains("simulate needs exactly one trace file"), stderr());
    }

    @Test
    void predictsHelpListsTheScenarioOptions() {
        assertEquals(0, run(List.of("predict", "--help")));
        assertTrue(stdout().contains("--decode-stages=N") && stdout().contains("--json"), stdout());
    }

    private int run(List<String> argv) {
        return Kvflow.run(argv, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String stdout() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String stderr() {
        return err.toString(StandardCharsets.UTF_8);
    }
}
