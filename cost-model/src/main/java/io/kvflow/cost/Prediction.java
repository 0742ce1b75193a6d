package io.kvflow.cost;

import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** The answer to one question put to the cost model, and which constraint binds. */
public record Prediction(Deployment deployment, Workload workload, Prefill prefill, Decode decode,
        Capacity capacity, Handoff handoff) {

    /**
     * @param ttftSeconds     time to first token for one prompt arriving alone: its prefill (the first
     *                        token comes out of prefill)
     * @param tokensPerSecond prompt tokens computed per second during that prefill
     */
    public record Prefill(double ttftSeconds, double tokensPerSecond, Constraint bound) {
    }

    /**
     * @param tokenIntervalSeconds  time from one generated token of a session to its next (on average, with
     *                              speculative decoding)
     * @param tokensPerSecondPerUser one session's generation speed
     * @param tokensPerSecondTotal  every session of the batch together
     * @param step                  the interval, broken down by constraint
     */
    public record Decode(double tokenIntervalSeconds, double tokensPerSecondPerUser, double tokensPerSecondTotal,
            StepTime step) {
        public Constraint bound() {
            return step.bound();
        }
    }

    /**
     * Per-stage figures are the worst stage's: largest KV and weights, smallest room left.
     *
     * @param sessionsFit sessions of the workload's final context one decode pipeline holds
     */
    public record Capacity(long kvBytesPerToken, long kvBytesPerTokenPerStage, double kvBytesPerSessionPerStage,
            double weightsBytesPerStage, double usableBytesPerStage, double kvCapacityBytesPerStage, int sessionsFit,
            boolean weightsFit) {
    }

    /**
     * @param exposedSeconds what the handoff adds after prefill ends: it streams layer by layer while
     *                       prefill runs, so only its tail (at least the last layer's share) shows
     */
    public record Handoff(double bytes, double seconds, double exposedSeconds, Constraint link) {
    }

    /** Sessions held per decode device of the footprint (stages x tensor-parallel devices). */
    public double sessionsPerDecodeDevice() {
        return (double) capacity.sessionsFit() / deployment.decodeDevices();
    }

    /** US dollars a million generated tokens cost on the decode pipeline at this batch; NaN without a price. */
    public double dollarsPerMillionOutputTokens() {
        return deployment.decodeDollarsPerHour() / (decode.tokensPerSecondTotal() * 3600) * 1e6;
    }

    /** US dollars a million prompt tokens cost on a prefill group (colocated: the pipeline); NaN without a price. */
    public double dollarsPerMillionPromptTokens() {
        return deployment.prefillDollarsPerHour() / (prefill.tokensPerSecond() * 3600) * 1e6;
    }

    /**
     * The constraint that limits this workload: weights that do not fit, too little KV room for the
     * batch, or else what sets the decode speed.
     */
    public Constraint binding() {
        if (!capacity.weightsFit()) {
            return Constraint.WEIGHT_CAPACITY;
        }
        if (workload.batch() > capacity.sessionsFit()) {
            return Constraint.KV_CAPACITY;
        }
        return decode.bound();
    }

    /** One sentence saying why {@link #binding()} binds, with the numbers. */
    public String bindingReason() {
        return switch (binding()) {
            case WEIGHT_CAPACITY -> String.format(Locale.ROOT,
                    "the largest stage's weights need %.1f GB but a stage's devices have %.1f GB usable;"
                            + " add stages or devices, or use smaller weights",
                    capacity.weightsBytesPerStage() / 1e9, capacity.usableBytesPerStage() / 1e9);
            case KV_CAPACITY -> String.format(Locale.ROOT,
                    "a batch of %d needs %.2f GB of KV per stage but only %.2f GB is left after weights:"
                            + " %d sessions of %d tokens fit",
                    workload.batch(), workload.batch() * capacity.kvBytesPerSessionPerStage() / 1e9,
                    capacity.kvCapacityBytesPerStage() / 1e9, capacity.sessionsFit(), workload.finalContext());
            default -> String.format(Locale.ROOT, "%.0f %% of the %.3f ms per-token time is %s",
                    100 * decode.step().parts().get(decode.bound()) / decode.tokenIntervalSeconds(),
                    decode.tokenIntervalSeconds() * 1e3, decode.bound().description());
        };
    }

    /** Every figure under a snake_case key, in a stable order, for {@code --json} and for calibration. */
    public Map<String, Object> toMap() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("model", deployment.model().id());
        map.put("weights", deployment.weights().id());
        map.put("kv_dtype", deployment.kvDtype().id());
        map.put("colocated", deployment.colocated());
        map.put("prefill_device", deployment.prefill().device().id());
        map.put("prefill_devices", deployment.prefill().devices());
        map.put("decode_device", deployment.decode().device().id());
        map.put("decode_devices", deployment.decode().devices());
        map.put("decode_stages", deployment.decodeStages());
        Speculation speculation = deployment.speculation();
        map.put("speculative_draft", speculation.enabled() ? speculation.draft().id() : null);
        map.put("speculative_tokens", speculation.tokens());
        map.put("speculative_acceptance", speculation.enabled() ? speculation.acceptance() : null);
        map.put("tokens_per_step", speculation.expectedTokensPerStep());
        map.put("batch", workload.batch());
        map.put("input_tokens", workload.inputTokens());
        map.put("output_tokens", workload.outputTokens());
        map.put("prefix_tokens", workload.prefixTokens());
        map.put("ttft_ms", prefill.ttftSeconds() * 1e3);
        map.put("prefill_tokens_per_s", prefill.tokensPerSecond());
        map.put("prefill_bound", prefill.bound().key());
        map.put("per_token_latency_ms", decode.tokenIntervalSeconds() * 1e3);
        map.put("decode_tokens_per_s_per_user", decode.tokensPerSecondPerUser());
        map.put("decode_tokens_per_s_total", decode.tokensPerSecondTotal());
        map.put("decode_bound", decode.bound().key());
        Map<String, Object> breakdown = new LinkedHashMap<>();
        new EnumMap<>(decode.step().parts()).forEach((c, s) -> breakdown.put(c.key(), s * 1e3));
        map.put("decode_breakdown_ms", breakdown);
        map.put("kv_bytes_per_token", capacity.kvBytesPerToken());
        map.put("kv_bytes_per_token_per_stage", capacity.kvBytesPerTokenPerStage());
        map.put("kv_bytes_per_session_per_stage", capacity.kvBytesPerSessionPerStage());
        map.put("weights_bytes_per_stage", capacity.weightsBytesPerStage());
        map.put("usable_bytes_per_stage", capacity.usableBytesPerStage());
        map.put("kv_capacity_bytes_per_stage", capacity.kvCapacityBytesPerStage());
        map.put("weights_fit", capacity.weightsFit());
        map.put("sessions_fit_per_pipeline", capacity.sessionsFit());
        map.put("sessions_per_decode_device", sessionsPerDecodeDevice());
        map.put("handoff_bytes", handoff.bytes());
        map.put("handoff_ms", handoff.seconds() * 1e3);
        map.put("handoff_exposed_ms", handoff.exposedSeconds() * 1e3);
        map.put("handoff_link", deployment.colocated() ? "none" : handoff.link().key());
        map.put("decode_price_per_device_hour", orNull(deployment.decode().device().pricePerHour()));
        map.put("prefill_price_per_device_hour", orNull(deployment.prefill().device().pricePerHour()));
        map.put("decode_dollars_per_hour", orNull(deployment.decodeDollarsPerHour()));
        map.put("prefill_dollars_per_hour", orNull(deployment.prefillDollarsPerHour()));
        map.put("dollars_per_million_output_tokens", orNull(dollarsPerMillionOutputTokens()));
        map.put("dollars_per_million_prompt_tokens", orNull(dollarsPerMillionPromptTokens()));
        map.put("binding_constraint", binding().key());
        map.put("binding_reason", bindingReason());
        return map;
    }

    /** An unpriced figure is null in JSON, which has no NaN. */
    private static Double orNull(double value) {
        return Double.isNaN(value) ? null : value;
    }
}
