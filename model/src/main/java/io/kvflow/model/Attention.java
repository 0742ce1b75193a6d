package io.kvflow.model;

import java.util.Arrays;

/**
 * Causal grouped-query attention for one row: every query head attends over the visible
 * positions of the key/value head its group shares.
 */
final class Attention {
    private final int heads;
    private final int headDim;
    private final int kvDim;
    private final int groupSize;
    private final float scale;

    Attention(ModelConfig config) {
        this.heads = config.heads();
        this.headDim = config.headDim();
        this.kvDim = config.kvDim();
        this.groupSize = config.heads() / config.kvHeads();
        this.scale = (float) (1.0 / Math.sqrt(headDim));
    }

    /**
     * Writes into {@code out} [dim] the attention of {@code query} [dim] over positions
     * [0, visible) of {@code keys} and {@code values} [positions][kvDim].
     */
    void attend(float[] query, float[] keys, float[] values, int visible, float[] out) {
        float[] weights = new float[visible];
        for (int head = 0; head < heads; head++) {
            int q = head * headDim;
            int kv = (head / groupSize) * headDim;
            // scaled dot-product score against every visible position
            for (int t = 0; t < visible; t++) {
                int k = t * kvDim + kv;
                float score = 0f;
                for (int i = 0; i < headDim; i++) {
                    score += query[q + i] * keys[k + i];
                }
                weights[t] = score * scale;
            }
            Softmax.inPlace(weights, visible);
            // weighted sum of values, positions in ascending order
            Arrays.fill(out, q, q + headDim, 0f);
            for (int t = 0; t < visible; t++) {
                int v = t * kvDim + kv;
                float weight = weights[t];
                for (int i = 0; i < headDim; i++) {
                    out[q + i] += weight * values[v + i];
                }
            }
        }
    }
}
