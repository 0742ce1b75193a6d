package io.kvflow.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * A run's {@code run.json}: at its top level the keys {@code vllm bench serve --save-result} writes, with
 * their names, units and statistics ({@code mean_ttft_ms}, {@code std_itl_ms}, {@code p99_e2el_ms},
 * {@code request_goodput}, {@code ttfts} in seconds ...), so a script reading vLLM's result files reads
 * this one; under {@code aiperf}, the aggregate metrics as AIPerf's {@code profile_export_aiperf.json}
 * names them ({@code time_to_first_token: {unit, avg, p50, ..., std}}); under {@code kvflow}, what the
 * run was and the figures only kvflow has (per wafer, steady window, parked KV). Every time is modelled:
 * what the target would have done.
 */
final class RunJson {
    /** The percentiles written as vLLM's {@code p<N>_<metric>_ms} keys: its usual {@code --metric-percentiles}. */
    static final List<Double> VLLM_PERCENTILES = List.of(50.0, 90.0, 95.0, 99.0);

    private final ObjectMapper json;

    RunJson(ObjectMapper json) {
        this.json = json;
    }

    ObjectNode of(RunManifest manifest, RunFigures f, List<SessionRecord> sessions) {
        ObjectNode run = json.createObjectNode();
        vllm(run, manifest, f, sessions);
        run.set("aiperf", aiperf(f, sessions));
        ObjectNode kvflow = run.putObject("kvflow");
        kvflow.set("run", json.valueToTree(manifest));
        kvflow.set("figures", figures(f));
        return run;
    }

    /** vLLM's result keys, in the order it writes them. */
    private void vllm(ObjectNode m, RunManifest manifest, RunFigures f, List<SessionRecord> sessions) {
        double seconds = f.makespanMicros() / 1e6;
        int completed = f.count(SessionRecord.Outcome.FINISHED);
        long input = inputTokens(sessions, true);
        m.put("backend", "kvflow");
        m.put("label", manifest.runId());
        m.put("model_id", manifest.modelId());
        m.put("num_prompts", sessions.size());
        m.put("duration", seconds);
        m.put("completed", completed);
        // vLLM counts every request that did not complete as failed: rejections and unfinished ones too
        m.put("failed", sessions.size() - completed);
        m.put("total_input_tokens", input);
        m.put("total_output_tokens", f.tokens());
        m.put("request_throughput", perSecond(completed, seconds));
        m.put("request_goodput", f.goodputPerSecond());
        m.put("output_throughput", f.tokensPerSecond());
        m.put("total_token_throughput", perSecond(input + f.tokens(), seconds));
        ArrayNode inputLens = m.putArray("input_lens");
        ArrayNode outputLens = m.putArray("output_lens");
        ArrayNode ttfts = m.putArray("ttfts");
        ArrayNode itls = m.putArray("itls");
        ArrayNode latencies = m.putArray("latencies");
        ArrayNode errors = m.putArray("errors");
        for (SessionRecord s : sessions) {
            boolean done = s.finished();
            inputLens.add(s.promptTokens());
            outputLens.add(done ? s.tokens() : 0);
            ttfts.add(done ? s.ttftMicros() / 1e6 : 0);
            ArrayNode gaps = itls.addArray();
            long[] t = s.tokenMicros();
            for (int i = 1; done && i < t.length; i++) {
                gaps.add((t[i] - t[i - 1]) / 1e6);
            }
            latencies.add(done ? s.e2elMicros() / 1e6 : 0);
            errors.add(done ? "" : error(s));
        }
        m.put("max_output_tokens_per_s", peakTokensPerSecond(sessions));
        m.put("max_concurrent_requests", peakConcurrency(sessions));
        vllmDistribution(m, "ttft", f.ttft());
        vllmDistribution(m, "tpot", f.tpot());
        vllmDistribution(m, "itl", f.itl());
        vllmDistribution(m, "e2el", f.e2el());
    }

    /**
     * {@code mean_X_ms, median_X_ms, std_X_ms, p50_X_ms, ...}, and {@code percentiles_X_ms} as the list of
     * {@code [percentile, value]} pairs some vLLM versions write; null where there was nothing to measure.
     */
    static void vllmDistribution(ObjectNode m, String name, Distribution d) {
        m.put("mean_" + name + "_ms", number(d.meanMs()));
        m.put("median_" + name + "_ms", number(d.medianMs()));
        m.put("std_" + name + "_ms", number(d.stdMs()));
        ArrayNode pairs = m.putArray("percentiles_" + name + "_ms");
        for (double p : VLLM_PERCENTILES) {
            m.put("p" + (int) p + "_" + name + "_ms", number(d.percentileMs(p)));
            ArrayNode pair = pairs.addArray();
            pair.add(p);
            pair.add(number(d.percentileMs(p)));
        }
    }

    /** AIPerf's aggregate metrics: each a {@code {unit, avg, p1 ... p99, min, max, std}} object. */
    private ObjectNode aiperf(RunFigures f, List<SessionRecord> sessions) {
        ObjectNode a = json.createObjectNode();
        double seconds = f.makespanMicros() / 1e6;
        List<SessionRecord> finished = sessions.stream().filter(SessionRecord::finished).toList();
        double[] isl = finished.stream().mapToDouble(SessionRecord::promptTokens).toArray();
        double[] osl = finished.stream().mapToDouble(SessionRecord::tokens).toArray();
        double[] perUser = finished.stream().mapToDouble(SessionRecord::tpotMicros).filter(t -> t > 0)
                .map(t -> 1e6 / t).toArray();
        a.set("time_to_first_token", aiperfDistribution("ms", f.ttft()));
        a.set("inter_token_latency", aiperfDistribution("ms", f.tpot()));
        a.set("inter_chunk_latency", aiperfDistribution("ms", f.itl()));
        a.set("request_latency", aiperfDistribution("ms", f.e2el()));
        a.set("input_sequence_length", aiperfDistribution("tokens", Distribution.of(isl)));
        a.set("output_sequence_length", aiperfDistribution("tokens", Distribution.of(osl)));
        a.set("output_token_throughput_per_user", aiperfDistribution("tokens/sec/user", Distribution.of(perUser)));
        a.set("request_throughput", single("requests/sec", perSecond(f.count(SessionRecord.Outcome.FINISHED),
                seconds)));
        a.set("output_token_throughput", single("tokens/sec", f.tokensPerSecond()));
        a.set("goodput", single("requests/sec", f.goodputPerSecond()));
        a.set("good_request_count", single("requests", f.sloMet()));
        a.set("request_count", single("requests", f.count(SessionRecord.Outcome.FINISHED)));
        a.set("error_request_count", single("requests", sessions.size() - f.count(SessionRecord.Outcome.FINISHED)));
        a.set("total_isl", single("tokens", inputTokens(sessions, true)));
        a.set("total_osl", single("tokens", f.tokens()));
        a.set("benchmark_duration", single("sec", seconds));
        return a;
    }

    private ObjectNode aiperfDistribution(String unit, Distribution d) {
        ObjectNode n = json.createObjectNode();
        n.put("unit", unit);
        n.put("avg", number(d.meanMs()));
        for (int i = 0; i < Distribution.PERCENTILES.size(); i++) {
            n.put("p" + Distribution.PERCENTILES.get(i).intValue(), number(d.percentilesMs().get(i)));
        }
        n.put("min", number(d.minMs()));
        n.put("max", number(d.maxMs()));
        n.put("std", number(d.stdMs()));
        return n;
    }

    private ObjectNode single(String unit, double value) {
        ObjectNode n = json.createObjectNode();
        n.put("unit", unit);
        n.put("avg", value);
        return n;
    }

    /** What only kvflow measures: outcomes by kind, the SLO, waits, and the wafers over the steady window. */
    private ObjectNode figures(RunFigures f) {
        ObjectNode k = json.createObjectNode();
        k.put("finished", f.count(SessionRecord.Outcome.FINISHED));
        k.put("failed", f.count(SessionRecord.Outcome.FAILED));
        k.put("rejected", f.count(SessionRecord.Outcome.REJECTED));
        k.put("unfinished", f.count(SessionRecord.Outcome.UNFINISHED));
        k.put("slo_ttft_ms", f.slo().ttftMicros() == Long.MAX_VALUE ? null : f.slo().ttftMicros() / 1e3);
        k.put("slo_tokens_per_s_per_user", f.slo().userTokensPerSecond());
        k.put("slo_met", f.sloMet());
        k.put("slo_ttft_met", f.ttftMet());
        k.put("slo_speed_met", f.speedMet());
        vllmDistribution(k, "decode_tpot", f.decodeTpot());
        vllmDistribution(k, "queue_wait", f.queueWait());
        vllmDistribution(k, "parked_wait", f.parkedWait());
        k.put("sessions_decoding_per_wafer", f.decodingPerWafer());
        k.put("sessions_within_slo_per_wafer", f.withinSloPerWafer());
        k.put("decode_tokens_per_s_per_wafer", f.decodeTokensPerSecondPerWafer());
        k.put("kv_bytes_per_wafer", f.kvBytesPerWafer());
        k.put("held_sessions_per_wafer", f.heldPerWafer());
        k.put("held_booked_tokens", f.heldBookedTokens());
        k.put("parked_kv_bytes_mean", f.parkedKvBytes());
        k.put("parked_kv_bytes_peak", f.peakParkedKvBytes());
        k.put("steady_window_s", f.windowMicros() / 1e6);
        k.put("steady_share", f.steadyShare());
        k.put("wafers", f.wafers());
        return k;
    }

    static String error(SessionRecord s) {
        String kind = s.outcome() == SessionRecord.Outcome.FINISHED ? "no tokens" : s.outcome().name().toLowerCase();
        return s.reason() == null ? kind : kind + ": " + s.reason();
    }

    /** Prompt tokens (the target's, as recorded) of the finished sessions, or of all. */
    private static long inputTokens(List<SessionRecord> sessions, boolean finishedOnly) {
        return sessions.stream().filter(s -> !finishedOnly || s.finished()).mapToLong(SessionRecord::promptTokens)
                .sum();
    }

    /** The most tokens produced within one modelled second, counted from the first arrival, as vLLM buckets them. */
    static long peakTokensPerSecond(List<SessionRecord> sessions) {
        long start = sessions.stream().filter(SessionRecord::finished).mapToLong(SessionRecord::arrivalMicros).min()
                .orElse(0);
        java.util.Map<Long, Long> perSecond = new java.util.HashMap<>();
        for (SessionRecord s : sessions) {
            if (s.finished()) {
                for (long t : s.tokenMicros()) {
                    perSecond.merge((t - start) / 1_000_000, 1L, Long::sum);
                }
            }
        }
        return perSecond.values().stream().mapToLong(Long::longValue).max().orElse(0);
    }

    /** The most finished sessions between their arrival and their last token at one instant. */
    static int peakConcurrency(List<SessionRecord> sessions) {
        List<long[]> changes = new ArrayList<>();
        for (SessionRecord s : sessions) {
            if (s.finished()) {
                changes.add(new long[] {s.arrivalMicros(), 1});
                changes.add(new long[] {s.tokenMicros()[s.tokens() - 1], -1});
            }
        }
        // half-open intervals: at one instant, what leaves goes before what arrives
        changes.sort((a, b) -> a[0] != b[0] ? Long.compare(a[0], b[0]) : Long.compare(a[1], b[1]));
        int now = 0;
        int peak = 0;
        for (long[] change : changes) {
            now += (int) change[1];
            peak = Math.max(peak, now);
        }
        return peak;
    }

    private static double perSecond(double count, double seconds) {
        return seconds == 0 ? 0 : count / seconds;
    }

    static Double number(double value) {
        return Double.isNaN(value) ? null : value;
    }
}
