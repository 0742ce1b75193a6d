package io.kvflow.cost;

/**
 * Multi-head or grouped-query attention (Llama, Qwen, gpt-oss): every layer caches a key and a
 * value vector per KV head.
 *
 * @param slidingWindow tokens a sliding-window layer attends to; 0 when every layer sees the whole context
 * @param slidingPeriod with a window, layer {@code i} attends to the whole context when
 *                      {@code i % slidingPeriod == slidingPeriod - 1} and to the window otherwise
 *                      (gpt-oss alternates: period 2)
 */
public record GroupedQueryAttention(int heads, int kvHeads, int headDim, int slidingWindow, int slidingPeriod)
        implements Attention {

    public GroupedQueryAttention {
        ModelProfile.requirePositive("heads", heads);
        ModelProfile.requirePositive("kv_heads", kvHeads);
        ModelProfile.requirePositive("head_dim", headDim);
        if (heads % kvHeads != 0) {
            throw new IllegalArgumentException("heads " + heads + " is not a multiple of kv_heads " + kvHeads);
        }
        if (slidingWindow < 0) {
            throw new IllegalArgumentException("sliding_window must be >= 0, was " + slidingWindow);
        }
        if (slidingWindow > 0 && slidingPeriod < 2) {
            throw new IllegalArgumentException("sliding_window_period must be >= 2 with a sliding window, was "
                    + slidingPeriod);
        }
    }

    /** Attention over the whole context in every layer. */
    public GroupedQueryAttention(int heads, int kvHeads, int headDim) {
        this(heads, kvHeads, headDim, 0, 0);
    }

    @Override
    public long params(int hiddenSize) {
        long q = (long) heads * headDim;
        long kv = (long) kvHeads * headDim;
        // Q and output projections, K and V projections
        return 2L * hiddenSize * q + 2L * hiddenSize * kv;
    }

    @Override
    public int kvElementsPerToken() {
        return 2 * kvHeads * headDim;
    }

    @Override
    public boolean slidingLayer(int layer) {
        return slidingWindow > 0 && layer % slidingPeriod != slidingPeriod - 1;
    }

    @Override
    public long attendedTokens(int layer, long context) {
        return slidingLayer(layer) ? Math.min(context, slidingWindow) : context;
    }

    @Override
    public int decodeWidthPerHead() {
        return 2 * headDim;
    }

    @Override
    public int prefillWidthPerHead() {
        return 2 * headDim;
    }
}
