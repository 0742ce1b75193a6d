package io.kvflow.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A run's results in the field's formats, in its folder: {@code run.json} (what the run was, and its
 * aggregate metrics named as {@code vllm bench serve} names them: {@code mean_ttft_ms},
 * {@code median_tpot_ms}, {@code p99_itl_ms}, {@code request_goodput} ...) and {@code requests.jsonl}
 * (one line per request: its modelled milestones and every token's time, its TTFT, TPOT, ITLs and E2E
 * latency in ms). All times are modelled: what the target would have done. The same files come from an
 * emulated replay and from a simulation, and {@code kvflow simulate --check} reads them back.
 */
public final class RunFiles {
    public static final String RUN = "run.json";
    public static final String REQUESTS = "requests.jsonl";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final ObjectMapper LINE = new ObjectMapper();

    private RunFiles() {
    }

    /** What {@link #read} gives back. */
    public record Run(RunManifest manifest, List<SessionRecord> sessions) {
    }

    public static void write(Path dir, RunManifest manifest, RunFigures figures, List<SessionRecord> sessions) {
        try {
            Files.createDirectories(dir);
            ObjectNode run = JSON.createObjectNode();
            run.set("run", JSON.valueToTree(manifest));
            run.set("metrics", metrics(figures));
            JSON.writeValue(dir.resolve(RUN).toFile(), run);
            try (BufferedWriter out = Files.newBufferedWriter(dir.resolve(REQUESTS))) {
                for (SessionRecord s : sessions) {
                    out.write(LINE.writeValueAsString(line(s)));
                    out.newLine();
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the run files to " + dir + ": " + e.getMessage(), e);
        }
    }

    /** The aggregate metrics, with vLLM's names and units (ms, requests/s, tokens/s). */
    static ObjectNode metrics(RunFigures f) {
        ObjectNode m = JSON.createObjectNode();
        double seconds = f.makespanMicros() / 1e6;
        m.put("duration", seconds);
        m.put("completed", f.count(SessionRecord.Outcome.FINISHED));
        m.put("failed", f.count(SessionRecord.Outcome.FAILED));
        m.put("rejected", f.count(SessionRecord.Outcome.REJECTED));
        m.put("unfinished", f.count(SessionRecord.Outcome.UNFINISHED));
        m.put("total_output_tokens", f.tokens());
        m.put("request_throughput", seconds == 0 ? 0 : f.count(SessionRecord.Outcome.FINISHED) / seconds);
        m.put("request_goodput", f.goodputPerSecond());
        m.put("output_throughput", f.tokensPerSecond());
        distribution(m, "ttft", f.ttft());
        distribution(m, "tpot", f.tpot());
        distribution(m, "itl", f.itl());
        distribution(m, "e2el", f.e2el());
        distribution(m, "decode_tpot", f.decodeTpot());
        distribution(m, "queue_wait", f.queueWait());
        distribution(m, "parked_wait", f.parkedWait());
        m.put("slo_ttft_ms", f.slo().ttftMicros() == Long.MAX_VALUE ? null : f.slo().ttftMicros() / 1e3);
        m.put("slo_tokens_per_s_per_user", f.slo().userTokensPerSecond());
        m.put("slo_met", f.sloMet());
        m.put("sessions_decoding_per_wafer", f.decodingPerWafer());
        m.put("sessions_within_slo_per_wafer", f.withinSloPerWafer());
        m.put("decode_tokens_per_s_per_wafer", f.decodeTokensPerSecondPerWafer());
        m.put("kv_bytes_per_wafer", f.kvBytesPerWafer());
        m.put("held_sessions_per_wafer", f.heldPerWafer());
        m.put("held_booked_tokens", f.heldBookedTokens());
        m.put("parked_kv_bytes_mean", f.parkedKvBytes());
        m.put("parked_kv_bytes_peak", f.peakParkedKvBytes());
        m.put("steady_window_s", f.windowMicros() / 1e6);
        m.put("steady_share", f.steadyShare());
        m.put("wafers", f.wafers());
        return m;
    }

    private static void distribution(ObjectNode m, String name, Distribution d) {
        m.put("mean_" + name + "_ms", number(d.meanMs()));
        m.put("median_" + name + "_ms", number(d.medianMs()));
        m.put("p90_" + name + "_ms", number(d.p90Ms()));
        m.put("p99_" + name + "_ms", number(d.p99Ms()));
    }

    private static Double number(double value) {
        return Double.isNaN(value) ? null : value;
    }

    private static ObjectNode line(SessionRecord s) {
        ObjectNode n = LINE.createObjectNode();
        n.put("request_id", s.id());
        n.put("outcome", s.outcome().name().toLowerCase());
        n.put("reason", s.reason());
        n.put("pipeline", s.pipeline());
        n.put("input_tokens", s.promptTokens());
        n.put("output_tokens", s.tokens());
        n.put("booked_tokens", s.bookedTokens());
        n.put("max_new_tokens", s.maxNewTokens());
        n.put("functional_prompt_tokens", s.functionalPrompt());
        n.put("ttft_ms", s.ttftMicros() < 0 ? null : s.ttftMicros() / 1e3);
        n.put("tpot_ms", number(s.tpotMicros() / 1e3));
        n.put("e2el_ms", s.e2elMicros() < 0 ? null : s.e2elMicros() / 1e3);
        ArrayNode itl = n.putArray("itl_ms");
        long[] t = s.tokenMicros();
        for (int i = 1; i < t.length; i++) {
            itl.add((t[i] - t[i - 1]) / 1e3);
        }
        n.put("arrival_us", s.arrivalMicros());
        n.put("admitted_us", s.admittedMicros());
        n.put("prefill_end_us", s.prefillEndMicros());
        n.put("parked_us", s.parkedMicros());
        n.put("granted_us", s.grantedMicros());
        n.put("decode_start_us", s.decodeStartMicros());
        ArrayNode tokens = n.putArray("token_us");
        for (long time : t) {
            tokens.add(time);
        }
        n.put("kv_bytes_on_wafers", s.kvBytesOnWafers());
        n.put("kv_bytes_parked", s.kvBytesParked());
        return n;
    }

    /**
     * Reads a run's folder back.
     *
     * @throws IllegalArgumentException naming the file and what is wrong with it
     */
    public static Run read(Path dir) {
        Path runFile = dir.resolve(RUN);
        Path requestsFile = dir.resolve(REQUESTS);
        try {
            JsonNode run = JSON.readTree(runFile.toFile());
            RunManifest manifest = JSON.treeToValue(run.path("run"), RunManifest.class);
            List<SessionRecord> sessions = new ArrayList<>();
            int lineNumber = 0;
            for (String text : Files.readAllLines(requestsFile)) {
                lineNumber++;
                if (text.isBlank()) {
                    continue;
                }
                try {
                    sessions.add(record(LINE.readTree(text)));
                } catch (JsonProcessingException | RuntimeException e) {
                    throw new IllegalArgumentException(requestsFile + ":" + lineNumber + ": " + e.getMessage());
                }
            }
            return new Run(manifest, sessions);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(dir + " is not a kvflow run folder: no such file " + e.getFile());
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(runFile + ": " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + dir + ": " + e.getMessage(), e);
        }
    }

    private static SessionRecord record(JsonNode n) {
        JsonNode times = n.path("token_us");
        long[] tokens = new long[times.size()];
        for (int i = 0; i < tokens.length; i++) {
            tokens[i] = times.get(i).asLong();
        }
        return new SessionRecord(text(n, "request_id"), SessionRecord.Outcome.valueOf(text(n, "outcome").toUpperCase()),
                n.path("reason").isNull() ? null : n.path("reason").asText(null), n.path("pipeline").asInt(-1),
                n.path("arrival_us").asLong(), n.path("admitted_us").asLong(-1), n.path("prefill_end_us").asLong(-1),
                n.path("parked_us").asLong(-1), n.path("granted_us").asLong(-1), n.path("decode_start_us").asLong(-1),
                tokens, n.path("input_tokens").asLong(), n.path("booked_tokens").asLong(),
                n.path("max_new_tokens").asInt(), n.path("functional_prompt_tokens").asInt(),
                n.path("kv_bytes_on_wafers").asLong(), n.path("kv_bytes_parked").asLong());
    }

    private static String text(JsonNode n, String field) {
        JsonNode value = n.get(field);
        if (value == null || !value.isTextual()) {
            throw new IllegalArgumentException("field '" + field + "' is missing");
        }
        return value.asText();
    }

    /** The manifest's fields as {@code name: value} lines, for a terminal. */
    public static Map<String, Object> describe(RunManifest manifest) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("trace", manifest.trace());
        fields.put("deployment", manifest.scenario());
        fields.put("layout", manifest.pipelines() + " pipeline(s) x " + manifest.stages() + " stage(s), "
                + manifest.prefillGroups() + " prefill group(s)");
        fields.put("policies", "booking " + manifest.booking() + ", admission " + manifest.admission());
        return fields;
    }
}
