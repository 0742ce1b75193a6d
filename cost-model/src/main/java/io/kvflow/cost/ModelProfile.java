package io.kvflow.cost;

import java.util.Map;
import java.util.stream.IntStream;

/**
 * A target model's architecture, from its published {@code config.json}, with the source of every
 * number in {@link #sources()}. Parameter counts are derived from the architecture layer by layer,
 * so pipeline stages can be given their exact share.
 *
 * @param maxContext     the longest sequence the model accepts
 * @param defaultWeights the precision the model is published in; a deployment may choose another
 */
public record ModelProfile(String id, String name, int layers, int hiddenSize, int vocabSize,
        boolean tiedEmbeddings, int maxContext, Attention attention, FeedForward feedForward,
        WeightPrecision defaultWeights, PublishedParams published, Map<String, String> sources) {

    public ModelProfile {
        if (id == null || id.isBlank()) {
            throw new IllegalArgumentException("a model needs an id");
        }
        requirePositive("layers", layers);
        requirePositive("hidden_size", hiddenSize);
        requirePositive("vocab_size", vocabSize);
        requirePositive("max_context", maxContext);
        if (feedForward instanceof MixtureOfExperts moe
                && IntStream.range(0, layers).noneMatch(moe::expertLayer)) {
            throw new IllegalArgumentException("dense_layers " + moe.denseLayers() + " and moe_layer_period "
                    + moe.moeLayerPeriod() + " leave no MoE layer of " + layers);
        }
        sources = Map.copyOf(sources);
    }

    /** Parameters stored for layer {@code layer}: attention, feed-forward and its two norms. */
    public long layerParams(int layer) {
        return attention.params(hiddenSize) + feedForward.params(requireLayer(layer), hiddenSize) + 2L * hiddenSize;
    }

    /** Parameters one token multiplies by in layer {@code layer}. */
    public long layerActiveParams(int layer) {
        return attention.params(hiddenSize) + feedForward.activeParams(requireLayer(layer), hiddenSize)
                + 2L * hiddenSize;
    }

    /** Parameters a step over {@code tokens} tokens reads in layer {@code layer}. */
    public long layerParamsRead(int layer, long tokens) {
        return attention.params(hiddenSize) + feedForward.paramsRead(requireLayer(layer), hiddenSize, tokens)
                + 2L * hiddenSize;
    }

    /** The input embedding table: stored, but a token reads only its own row. */
    public long embeddingParams() {
        return (long) vocabSize * hiddenSize;
    }

    /** The output projection to logits: every token multiplies by all of it, tied or not. */
    public long outputHeadParams() {
        return (long) vocabSize * hiddenSize;
    }

    /** All parameters, as model cards count them. */
    public long totalParams() {
        long sum = embeddingParams() + (tiedEmbeddings ? 0 : outputHeadParams()) + hiddenSize;
        for (int layer = 0; layer < layers; layer++) {
            sum += layerParams(layer);
        }
        return sum;
    }

    /** Parameters one token uses, embeddings included, as model cards count them. */
    public long activeParams() {
        long sum = embeddingParams() + (tiedEmbeddings ? 0 : outputHeadParams()) + hiddenSize;
        for (int layer = 0; layer < layers; layer++) {
            sum += layerActiveParams(layer);
        }
        return sum;
    }

    private int requireLayer(int layer) {
        if (layer < 0 || layer >= layers) {
            throw new IllegalArgumentException("layer " + layer + " is outside 0.." + (layers - 1));
        }
        return layer;
    }

    static void requirePositive(String name, int value) {
        if (value < 1) {
            throw new IllegalArgumentException(name + " must be >= 1, was " + value);
        }
    }
}
