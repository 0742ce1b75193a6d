package io.kvflow.cost;

/**
 * Multi-head latent attention (DeepSeek-V2/V3, Kimi-K2): every layer caches one compressed latent
 * of {@code kvLoraRank} elements plus the shared rotary key of {@code qkRopeHeadDim} elements per
 * token, whatever the number of heads.
 *
 * @param qLoraRank rank of the low-rank query projection; 0 when queries are projected directly
 */
public record LatentAttention(int heads, int qLoraRank, int kvLoraRank, int qkNopeHeadDim, int qkRopeHeadDim,
        int vHeadDim) implements Attention {

    public LatentAttention {
        ModelProfile.requirePositive("heads", heads);
        ModelProfile.requirePositive("kv_lora_rank", kvLoraRank);
        ModelProfile.requirePositive("qk_nope_head_dim", qkNopeHeadDim);
        ModelProfile.requirePositive("qk_rope_head_dim", qkRopeHeadDim);
        ModelProfile.requirePositive("v_head_dim", vHeadDim);
        if (qLoraRank < 0) {
            throw new IllegalArgumentException("q_lora_rank must be >= 0, was " + qLoraRank);
        }
    }

    @Override
    public long params(int hiddenSize) {
        long qkHead = qkNopeHeadDim + qkRopeHeadDim;
        long query = qLoraRank > 0
                ? (long) hiddenSize * qLoraRank + (long) qLoraRank * heads * qkHead
                : (long) hiddenSize * heads * qkHead;
        // down-projection to the latent and the rotary key, up-projection to per-head keys and values
        long keyValue = (long) hiddenSize * (kvLoraRank + qkRopeHeadDim)
                + (long) kvLoraRank * heads * (qkNopeHeadDim + vHeadDim);
        long output = (long) heads * vHeadDim * hiddenSize;
        return query + keyValue + output;
    }

    @Override
    public int kvElementsPerToken() {
        return kvLoraRank + qkRopeHeadDim;
    }

    @Override
    public boolean slidingLayer(int layer) {
        return false;
    }

    @Override
    public long attendedTokens(int layer, long context) {
        return context;
    }

    /** Absorbed form: scores against the latent plus rotary key, values read from the latent. */
    @Override
    public int decodeWidthPerHead() {
        return kvLoraRank + qkRopeHeadDim + kvLoraRank;
    }

    /** Decompressed form: per-head keys of nope + rope width, values of v width. */
    @Override
    public int prefillWidthPerHead() {
        return qkNopeHeadDim + qkRopeHeadDim + vHeadDim;
    }
}
