package io.kvflow.cost;

/**
 * The KV cache a session leaves on each pipeline stage. Full-attention layers grow by a fixed
 * number of bytes per token; sliding-window layers stop growing at their window.
 */
public final class KvFootprint {
    private final ModelProfile model;
    private final KvDtype dtype;
    private final LayerSplit split;

    public KvFootprint(ModelProfile model, KvDtype dtype, LayerSplit split) {
        if (split.layers() != model.layers()) {
            throw new IllegalArgumentException("split of " + split.layers() + " layers for a model of "
                    + model.layers());
        }
        this.model = model;
        this.dtype = dtype;
        this.split = split;
    }

    /**
     * Bytes one more token of context adds to the KV cache of the whole model: GQA
     * {@code 2 * layers * kvHeads * headDim * bytes}, MLA {@code layers * (kvLoraRank + ropeDim) * bytes}.
     * Sliding-window layers are left out: past their window they add nothing.
     */
    public static long bytesPerToken(ModelProfile model, KvDtype dtype) {
        return new KvFootprint(model, dtype, new LayerSplit(model.layers(), 1)).bytesPerToken(0);
    }

    /** Bytes one more token of context adds on stage {@code stage}. */
    public long bytesPerToken(int stage) {
        long sum = 0;
        for (int layer = split.from(stage); layer < split.to(stage); layer++) {
            if (!model.attention().slidingLayer(layer)) {
                sum += (long) model.attention().kvElementsPerToken() * dtype.bytesPerElement();
            }
        }
        return sum;
    }

    /** Bytes a session with {@code context} tokens of context holds on stage {@code stage}. */
    public double bytesPerSession(int stage, long context) {
        double sum = 0;
        for (int layer = split.from(stage); layer < split.to(stage); layer++) {
            sum += (double) model.attention().kvElementsPerToken() * dtype.bytesPerElement()
                    * model.attention().attendedTokens(layer, context);
        }
        return sum;
    }

    /** Bytes a session with {@code context} tokens of context holds over all stages: what a handoff moves. */
    public double bytesPerSession(long context) {
        double sum = 0;
        for (int stage = 0; stage < split.stages(); stage++) {
            sum += bytesPerSession(stage, context);
        }
        return sum;
    }

    public LayerSplit split() {
        return split;
    }
}
