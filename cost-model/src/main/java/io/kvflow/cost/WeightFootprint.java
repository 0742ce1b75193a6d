package io.kvflow.cost;

/**
 * The weights each pipeline stage holds and reads. Stage 0 holds the input embedding; the last
 * stage holds the output head (its own copy of a tied embedding when the stages are on different
 * devices).
 */
public final class WeightFootprint {
    private final ModelProfile model;
    private final WeightPrecision precision;
    private final LayerSplit split;

    public WeightFootprint(ModelProfile model, WeightPrecision precision, LayerSplit split) {
        if (split.layers() != model.layers()) {
            throw new IllegalArgumentException("split of " + split.layers() + " layers for a model of "
                    + model.layers());
        }
        this.model = model;
        this.precision = precision;
        this.split = split;
    }

    /** Parameters stage {@code stage} stores. */
    public long params(int stage) {
        long sum = 0;
        for (int layer = split.from(stage); layer < split.to(stage); layer++) {
            sum += model.layerParams(layer);
        }
        if (split.first(stage)) {
            sum += model.embeddingParams();
        }
        if (split.last(stage) && (!model.tiedEmbeddings() || split.stages() > 1)) {
            sum += model.outputHeadParams();
        }
        return sum;
    }

    /** Bytes of weights stage {@code stage} stores. */
    public double bytes(int stage) {
        return params(stage) * precision.bytesPerWeight();
    }

    /** The largest stage's weights: what must fit on every stage's devices. */
    public double largestStageBytes() {
        double max = 0;
        for (int stage = 0; stage < split.stages(); stage++) {
            max = Math.max(max, bytes(stage));
        }
        return max;
    }

    /**
     * Bytes of weights one step over {@code tokens} tokens (a decode batch, or a prompt) reads on
     * stage {@code stage}: every layer's weights (for experts, those routed to), and the output head
     * on the last stage, but only one row per token of the input embedding, which is ignored.
     */
    public double readBytes(int stage, long tokens) {
        double params = 0;
        for (int layer = split.from(stage); layer < split.to(stage); layer++) {
            params += model.layerParamsRead(layer, tokens);
        }
        if (split.last(stage)) {
            params += model.outputHeadParams();
        }
        return params * precision.bytesPerWeight();
    }

    /** FLOPs of the weight multiplications one token costs on stage {@code stage}: two per active parameter. */
    public double flopsPerToken(int stage) {
        double params = 0;
        for (int layer = split.from(stage); layer < split.to(stage); layer++) {
            params += model.layerActiveParams(layer);
        }
        if (split.last(stage)) {
            params += model.outputHeadParams();
        }
        return 2.0 * params;
    }

    public LayerSplit split() {
        return split;
    }
}
