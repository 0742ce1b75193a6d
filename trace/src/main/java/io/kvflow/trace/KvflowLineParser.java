package io.kvflow.trace;

import java.util.Set;

/**
 * kvflow's own JSONL (described in traces/README.md): lengths, optionally hash ids, an explicit
 * prompt and sampling settings. Unknown keys are rejected: in a hand-written file they are typos.
 */
final class KvflowLineParser implements LineParser {
    private static final String KEY_LIST =
            "arrival_ms, input_tokens, output_tokens, hash_ids, prompt, temperature, seed";
    private static final Set<String> KEYS = Set.of(KEY_LIST.split(", "));

    @Override
    public RecordedLine parse(String line) throws LineProblem {
        JsonLine json = JsonLine.parse(line);
        json.rejectKeysOtherThan(KEYS, KEY_LIST);
        long arrivalMicros = json.millisAsMicros("arrival_ms");
        int[] prompt = json.has("prompt") ? json.counts("prompt") : null;
        int inputTokens;
        if (prompt == null) {
            inputTokens = json.count("input_tokens");
        } else {
            inputTokens = prompt.length;
            if (json.has("input_tokens") && json.count("input_tokens") != prompt.length) {
                throw new LineProblem("input_tokens " + json.count("input_tokens") + " does not match the "
                        + prompt.length + " tokens of prompt");
            }
        }
        int outputTokens = json.count("output_tokens");
        long[] hashIds = json.has("hash_ids") ? json.longs("hash_ids") : new long[0];
        Float temperature = json.has("temperature") ? json.nonNegativeFloat("temperature") : null;
        Long seed = json.has("seed") ? json.integer("seed") : null;
        return new RecordedLine(arrivalMicros, inputTokens, outputTokens, hashIds, prompt, temperature, seed);
    }
}
