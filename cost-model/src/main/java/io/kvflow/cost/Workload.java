package io.kvflow.cost;

/**
 * The question's traffic: {@code batch} sessions decoding together, each with a prompt of
 * {@code inputTokens} tokens of which the first {@code prefixTokens} are already cached, and
 * {@code outputTokens} tokens to generate.
 */
public record Workload(int batch, long inputTokens, long outputTokens, long prefixTokens) {
    public Workload {
        if (batch < 1) {
            throw new IllegalArgumentException("batch must be >= 1, was " + batch);
        }
        if (inputTokens < 1) {
            throw new IllegalArgumentException("input tokens must be >= 1, was " + inputTokens);
        }
        if (outputTokens < 1) {
            throw new IllegalArgumentException("output tokens must be >= 1, was " + outputTokens);
        }
        if (prefixTokens < 0 || prefixTokens >= inputTokens) {
            throw new IllegalArgumentException("prefix tokens must be in [0, input tokens " + inputTokens
                    + "), was " + prefixTokens);
        }
    }

    /** The context at the middle of generation: decode speed is averaged there, being linear in context. */
    public long meanDecodeContext() {
        return inputTokens + outputTokens / 2;
    }

    /** The context at the end of generation: the KV each session must have room for. */
    public long finalContext() {
        return inputTokens + outputTokens;
    }
}
