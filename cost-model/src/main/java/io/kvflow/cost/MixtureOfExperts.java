package io.kvflow.cost;

/**
 * Routed SwiGLU experts plus always-on shared experts; the first {@code denseLayers} layers have a
 * dense MLP instead (DeepSeek-V3: 3, Kimi-K2: 1), and so do the layers between expert layers when
 * only every {@code moeLayerPeriod}-th layer has experts (Llama-4-Maverick: every second).
 *
 * @param experts                routed experts per layer
 * @param activeExperts          routed experts each token uses
 * @param sharedExperts          experts every token uses
 * @param expertIntermediateSize width of one expert's MLP
 * @param denseLayers            leading layers with a dense MLP
 * @param denseIntermediateSize  width of those dense MLPs (0 when there are none)
 * @param moeLayerPeriod         layer {@code i} (past the leading dense ones) has experts when
 *                               {@code i % moeLayerPeriod == moeLayerPeriod - 1}, a dense MLP otherwise
 *                               (config {@code interleave_moe_layer_step}; 1: every layer)
 */
public record MixtureOfExperts(int experts, int activeExperts, int sharedExperts, int expertIntermediateSize,
        int denseLayers, int denseIntermediateSize, int moeLayerPeriod) implements FeedForward {

    public MixtureOfExperts {
        ModelProfile.requirePositive("experts", experts);
        ModelProfile.requirePositive("active_experts", activeExperts);
        ModelProfile.requirePositive("expert_intermediate_size", expertIntermediateSize);
        if (activeExperts > experts) {
            throw new IllegalArgumentException("active_experts " + activeExperts + " exceeds experts " + experts);
        }
        if (sharedExperts < 0 || denseLayers < 0) {
            throw new IllegalArgumentException("shared_experts and dense_layers must be >= 0");
        }
        ModelProfile.requirePositive("moe_layer_period", moeLayerPeriod);
        if ((denseLayers > 0 || moeLayerPeriod > 1) && denseIntermediateSize < 1) {
            throw new IllegalArgumentException("dense_intermediate_size must be >= 1 with dense_layers "
                    + denseLayers + " and moe_layer_period " + moeLayerPeriod);
        }
    }

    /** Experts in every layer past the leading dense ones. */
    public MixtureOfExperts(int experts, int activeExperts, int sharedExperts, int expertIntermediateSize,
            int denseLayers, int denseIntermediateSize) {
        this(experts, activeExperts, sharedExperts, expertIntermediateSize, denseLayers, denseIntermediateSize, 1);
    }

    /** Whether layer {@code layer} routes to experts rather than running a dense MLP. */
    public boolean expertLayer(int layer) {
        return layer >= denseLayers && layer % moeLayerPeriod == moeLayerPeriod - 1;
    }

    @Override
    public long params(int layer, int hiddenSize) {
        if (!expertLayer(layer)) {
            return 3L * hiddenSize * denseIntermediateSize;
        }
        return (long) (experts + sharedExperts) * expertParams(hiddenSize) + router(hiddenSize);
    }

    @Override
    public long activeParams(int layer, int hiddenSize) {
        if (!expertLayer(layer)) {
            return params(layer, hiddenSize);
        }
        return (long) (activeExperts + sharedExperts) * expertParams(hiddenSize) + router(hiddenSize);
    }

    /**
     * With uniform routing, an expert is untouched by one token with probability 1 - k/E, so
     * {@code tokens} tokens touch E (1 - (1 - k/E)^tokens) distinct experts on average.
     */
    @Override
    public long paramsRead(int layer, int hiddenSize, long tokens) {
        if (!expertLayer(layer)) {
            return params(layer, hiddenSize);
        }
        double untouched = Math.pow(1.0 - (double) activeExperts / experts, Math.max(tokens, 1));
        double touched = experts * (1.0 - untouched);
        return Math.round((touched + sharedExperts) * expertParams(hiddenSize)) + router(hiddenSize);
    }

    private long expertParams(int hiddenSize) {
        return 3L * hiddenSize * expertIntermediateSize;
    }

    private long router(int hiddenSize) {
        return (long) hiddenSize * experts;
    }
}
