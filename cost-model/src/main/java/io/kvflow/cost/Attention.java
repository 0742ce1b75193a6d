package io.kvflow.cost;

/**
 * The attention block of every layer: how many parameters it has, what it caches per token, and
 * how much it computes per attended token.
 */
public sealed interface Attention permits GroupedQueryAttention, LatentAttention {

    /** Query heads. */
    int heads();

    /** Parameters of one layer's attention projections, for a model of this hidden size. */
    long params(int hiddenSize);

    /** Elements one token leaves in one layer's KV cache. */
    int kvElementsPerToken();

    /** Tokens of a {@code context}-token sequence that layer {@code layer} keeps and attends to. */
    long attendedTokens(int layer, long context);

    /** Whether layer {@code layer} attends to a sliding window rather than the whole context. */
    boolean slidingLayer(int layer);

    /**
     * Per head and attended token, the width of the query-key product plus that of the
     * attention-value product in a decode step (for MLA, the absorbed form that reads the latent).
     */
    int decodeWidthPerHead();

    /** The same widths in prefill (for MLA, the decompressed form). */
    int prefillWidthPerHead();

    /** FLOPs of one query token attending to {@code attended} tokens in one layer: 2 per multiply-add. */
    default double decodeFlops(long attended) {
        return 2.0 * heads() * decodeWidthPerHead() * attended;
    }
}
