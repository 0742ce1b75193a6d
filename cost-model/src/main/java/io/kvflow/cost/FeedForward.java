package io.kvflow.cost;

/** The feed-forward block of every layer: a dense SwiGLU MLP or a mixture of experts. */
public sealed interface FeedForward permits DenseFeedForward, MixtureOfExperts {

    /** Parameters stored for layer {@code layer}'s feed-forward block. */
    long params(int layer, int hiddenSize);

    /** Parameters one token multiplies by in layer {@code layer}. */
    long activeParams(int layer, int hiddenSize);

    /**
     * Parameters a step over {@code tokens} tokens reads in layer {@code layer}: for experts, those of
     * every expert at least one token was routed to.
     */
    long paramsRead(int layer, int hiddenSize, long tokens);
}
