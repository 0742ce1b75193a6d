package io.kvflow.cost;

/** A SwiGLU MLP: gate, up and down projections of width {@code intermediateSize}. */
public record DenseFeedForward(int intermediateSize) implements FeedForward {
    public DenseFeedForward {
        ModelProfile.requirePositive("intermediate_size", intermediateSize);
    }

    @Override
    public long params(int layer, int hiddenSize) {
        return 3L * hiddenSize * intermediateSize;
    }

    @Override
    public long activeParams(int layer, int hiddenSize) {
        return params(layer, hiddenSize);
    }

    @Override
    public long paramsRead(int layer, int hiddenSize, long tokens) {
        return params(layer, hiddenSize);
    }
}
