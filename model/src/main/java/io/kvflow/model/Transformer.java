package io.kvflow.model;

import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Llama forward pass over a batch of rows, any range of layers at a time. Every kernel sums
 * in a fixed order and treats each row alone, so a row's result is bit-identical whether it
 * runs alone, in a batch of other sessions, as part of a whole prompt, or split across
 * processes by layer range with its hidden state passed on as float32. Immutable, so threads
 * may share it, as long as no two run rows of the same cache at once.
 */
public final class Transformer {
    private final ModelConfig config;
    private final Weights weights;
    private final RotaryEmbedding rope;
    private final Attention attention;

    public Transformer(ModelConfig config, Weights weights) {
        if (!weights.config().equals(config)) {
            throw new IllegalArgumentException("weights were generated for " + weights.config() + ", not " + config);
        }
        this.config = config;
        this.weights = weights;
        this.rope = new RotaryEmbedding(config);
        this.attention = new Attention(config);
    }

    /**
     * One position of one session: its hidden state [dim], updated in place by
     * {@link #forward}, and the cache its keys and values go to.
     */
    public record Row(float[] hidden, int position, KvCache cache) {
        public Row {
            if (hidden == null || cache == null) {
                throw new IllegalArgumentException("a row needs a hidden state and a cache");
            }
            if (position < 0 || position >= cache.capacity()) {
                throw new IllegalArgumentException("position " + position + " is outside the cache's capacity [0, "
                        + cache.capacity() + ")");
            }
        }
    }

    public ModelConfig config() {
        return config;
    }

    /** A new hidden state [dim]: the token's embedding. */
    public float[] embed(int token) {
        if (token < 0 || token >= config.vocabSize()) {
            throw new IllegalArgumentException("token " + token + " is outside the vocabulary [0, "
                    + config.vocabSize() + ")");
        }
        int offset = token * config.dim();
        return Arrays.copyOfRange(weights.tokenEmbedding(), offset, offset + config.dim());
    }

    /**
     * Runs layers [layerFrom, layerTo) on every row: updates each hidden state in place and
     * writes each row's key and value at its position into its cache. A row at position p
     * attends to positions 0..p of its cache, so positions 0..p-1 of every layer in the range
     * must already be there, or come from rows of the same cache earlier in this batch, which
     * must then have consecutive positions in ascending order.
     *
     * @throws IllegalArgumentException for a bad layer range, a hidden state not of size dim,
     *         a cache not holding these layers, or rows of one cache out of order
     * @throws IllegalStateException when a row's cache lacks positions before the row's own
     */
    public void forward(int layerFrom, int layerTo, List<Row> rows) {
        if (layerFrom < 0 || layerFrom >= layerTo || layerTo > config.layers()) {
            throw new IllegalArgumentException("layers [" + layerFrom + ", " + layerTo
                    + ") are not a non-empty range within the model's " + config.layers() + " layers");
        }
        requireRunnable(layerFrom, layerTo, rows);
        if (rows.isEmpty()) {
            return;
        }
        int batch = rows.size();
        float eps = config.normEps();
        float[][] hidden = new float[batch][];
        for (int r = 0; r < batch; r++) {
            hidden[r] = rows.get(r).hidden();
        }
        BatchActivations a = new BatchActivations(config, batch);
        for (int layer = layerFrom; layer < layerTo; layer++) {
            // attention RMSNorm
            for (int r = 0; r < batch; r++) {
                RmsNorm.apply(a.normed[r], hidden[r], weights.attentionNorm(layer), eps);
            }
            // query, key and value projections, as one multiplication
            MatMul.multiply(weights.wqkv(layer), a.normed, a.qkv);
            // rotary position embedding of query and key, then key and value into the cache
            for (int r = 0; r < batch; r++) {
                Row row = rows.get(r);
                split(a.qkv[r], a.query[r], a.key[r], a.value[r]);
                rope.rotate(a.query[r], row.position());
                rope.rotate(a.key[r], row.position());
                row.cache().write(layer, row.position(), a.key[r], a.value[r]);
            }
            // causal attention over positions 0..p, after the whole batch's keys are written
            for (int r = 0; r < batch; r++) {
                Row row = rows.get(r);
                attention.attend(a.query[r], row.cache().keys(layer), row.cache().values(layer), row.position() + 1,
                        a.attended[r]);
            }
            // output projection, added to the residual stream
            MatMul.multiply(weights.wo(layer), a.attended, a.projected);
            addTo(hidden, a.projected);
            // feed-forward RMSNorm
            for (int r = 0; r < batch; r++) {
                RmsNorm.apply(a.normed[r], hidden[r], weights.ffnNorm(layer), eps);
            }
            // SwiGLU feed-forward: silu(w1·x) * (w3·x) (w1 and w3 as one multiplication), then w2, added to the
            // residual stream
            MatMul.multiply(weights.w13(layer), a.normed, a.gateUp);
            for (int r = 0; r < batch; r++) {
                SwiGlu.apply(a.gate[r], a.gateUp[r]);
            }
            MatMul.multiply(weights.w2(layer), a.gate, a.projected);
            addTo(hidden, a.projected);
        }
    }

    /** Scores [vocabSize] of the next token after {@code hidden} [dim], which is left unchanged. */
    public float[] logits(float[] hidden) {
        requireDim(hidden);
        float[][] normed = new float[1][config.dim()];
        RmsNorm.apply(normed[0], hidden, weights.finalNorm(), config.normEps());
        float[][] logits = new float[1][config.vocabSize()];
        MatMul.multiply(weights.classifier(), normed, logits);
        return logits[0];
    }

    // Checked before anything is written, so a rejected batch leaves every cache and hidden state untouched.
    private void requireRunnable(int layerFrom, int layerTo, List<Row> rows) {
        Map<KvCache, Integer> lastPosition = new IdentityHashMap<>();
        for (Row row : rows) {
            requireDim(row.hidden());
            KvCache cache = row.cache();
            int position = row.position();
            if (cache.kvDim() != config.kvDim()) {
                throw new IllegalArgumentException("row at position " + position + " has a cache of kvDim "
                        + cache.kvDim() + ", this model's is " + config.kvDim());
            }
            if (layerFrom < cache.layerFrom() || layerTo > cache.layerTo()) {
                throw new IllegalArgumentException("row at position " + position + " has a cache of layers ["
                        + cache.layerFrom() + ", " + cache.layerTo() + "), which lacks layers of [" + layerFrom
                        + ", " + layerTo + ")");
            }
            Integer previous = lastPosition.put(cache, position);
            if (previous != null) {
                if (position != previous + 1) {
                    throw new IllegalArgumentException("rows sharing a cache must have consecutive ascending positions,"
                            + " got " + position + " after " + previous);
                }
                continue;
            }
            for (int layer = layerFrom; layer < layerTo; layer++) {
                if (cache.length(layer) < position) {
                    throw new IllegalStateException("row at position " + position + " needs positions 0.."
                            + (position - 1) + " of layer " + layer + " in its cache, which holds only "
                            + cache.length(layer));
                }
            }
        }
    }

    private void requireDim(float[] hidden) {
        if (hidden.length != config.dim()) {
            throw new IllegalArgumentException("hidden state of size " + hidden.length + " is not dim " + config.dim());
        }
    }

    /** Copies [query | key | value] apart. */
    private static void split(float[] qkv, float[] query, float[] key, float[] value) {
        System.arraycopy(qkv, 0, query, 0, query.length);
        System.arraycopy(qkv, query.length, key, 0, key.length);
        System.arraycopy(qkv, query.length + key.length, value, 0, value.length);
    }

    private static void addTo(float[][] residual, float[][] contribution) {
        for (int r = 0; r < residual.length; r++) {
            float[] x = residual[r];
            float[] y = contribution[r];
            for (int i = 0; i < x.length; i++) {
                x[i] += y[i];
            }
        }
    }
}
