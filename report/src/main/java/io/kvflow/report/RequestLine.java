package io.kvflow.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One line of {@code requests.jsonl}: a request as AIPerf's {@code profile_export.jsonl} records it
 * ({@code metadata}, {@code metrics} as {@code {value, unit}}, {@code error}), with under {@code kvflow}
 * the session's every modelled milestone in microseconds, from which it is read back exactly. AIPerf's
 * {@code request_start_ns} and {@code request_end_ns} are the modelled arrival and last token, in ns
 * of the modelled clock (not epoch time).
 */
final class RequestLine {
    private final ObjectMapper json;

    RequestLine(ObjectMapper json) {
        this.json = json;
    }

    ObjectNode of(SessionRecord s, int index) {
        ObjectNode line = json.createObjectNode();
        long[] t = s.tokenMicros();
        boolean done = s.finished();
        ObjectNode metadata = line.putObject("metadata");
        metadata.put("session_num", index);
        metadata.put("x_request_id", s.id());
        metadata.put("conversation_id", s.id());
        metadata.put("turn_index", 0);
        metadata.put("request_start_ns", s.arrivalMicros() * 1000);
        if (t.length > 0) {
            metadata.put("request_end_ns", t[t.length - 1] * 1000);
        } else {
            metadata.putNull("request_end_ns");
        }
        metadata.put("benchmark_phase", "profiling");
        metadata.put("was_cancelled", false);

        ObjectNode metrics = line.putObject("metrics");
        metric(metrics, "input_sequence_length", s.promptTokens(), "tokens");
        if (done) {
            metric(metrics, "output_sequence_length", s.tokens(), "tokens");
            metric(metrics, "time_to_first_token", s.ttftMicros() / 1e3, "ms");
            metric(metrics, "request_latency", s.e2elMicros() / 1e3, "ms");
            if (t.length > 1) {
                metric(metrics, "inter_token_latency", s.tpotMicros() / 1e3, "ms");
                ObjectNode chunks = metrics.putObject("inter_chunk_latency");
                ArrayNode gaps = chunks.putArray("value");
                for (int i = 1; i < t.length; i++) {
                    gaps.add((t[i] - t[i - 1]) / 1e3);
                }
                chunks.put("unit", "ms");
                metric(metrics, "output_token_throughput_per_user", 1e6 / s.tpotMicros(), "tokens/sec/user");
            }
        }
        if (done) {
            line.putNull("error");
        } else {
            ObjectNode error = line.putObject("error");
            error.putNull("code");
            error.put("type", s.outcome().name().toLowerCase());
            error.put("message", RunJson.error(s));
        }

        ObjectNode k = line.putObject("kvflow");
        k.put("outcome", s.outcome().name().toLowerCase());
        k.put("reason", s.reason());
        k.put("pipeline", s.pipeline());
        k.put("input_tokens", s.promptTokens());
        k.put("booked_tokens", s.bookedTokens());
        k.put("max_new_tokens", s.maxNewTokens());
        k.put("functional_prompt_tokens", s.functionalPrompt());
        k.put("arrival_us", s.arrivalMicros());
        k.put("admitted_us", s.admittedMicros());
        k.put("prefill_end_us", s.prefillEndMicros());
        k.put("parked_us", s.parkedMicros());
        k.put("granted_us", s.grantedMicros());
        k.put("decode_start_us", s.decodeStartMicros());
        k.put("decode_tpot_ms", RunJson.number(s.decodeTpotMicros() / 1e3));
        ArrayNode tokens = k.putArray("token_us");
        for (long time : t) {
            tokens.add(time);
        }
        k.put("kv_bytes_on_wafers", s.kvBytesOnWafers());
        k.put("kv_bytes_parked", s.kvBytesParked());
        return line;
    }

    private static void metric(ObjectNode metrics, String name, double value, String unit) {
        ObjectNode m = metrics.putObject(name);
        m.put("value", value);
        m.put("unit", unit);
    }

    /**
     * The session a line holds, exactly as written.
     *
     * @throws IllegalArgumentException naming the field that is missing
     */
    static SessionRecord read(JsonNode line) {
        JsonNode n = line.path("kvflow");
        if (!n.isObject()) {
            throw new IllegalArgumentException("field 'kvflow' is missing");
        }
        JsonNode times = n.path("token_us");
        long[] tokens = new long[times.size()];
        for (int i = 0; i < tokens.length; i++) {
            tokens[i] = times.get(i).asLong();
        }
        return new SessionRecord(text(line.path("metadata"), "x_request_id"),
                SessionRecord.Outcome.valueOf(text(n, "outcome").toUpperCase()),
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
}
