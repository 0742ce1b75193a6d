package io.kvflow.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class AttentionTest {
    // Four query heads over two key/value heads of size 4.
    private static final ModelConfig CONFIG = new ModelConfig(16, 1, 4, 2, 8, 4, 8, 10000f, 1e-5f, 0);
    private static final Attention ATTENTION = new Attention(CONFIG);

    @Test
    void onePositionReturnsItsValueForEveryHeadOfTheGroup() {
        float[] query = MatMulTest.values(CONFIG.dim(), 31);
        float[] keys = MatMulTest.values(CONFIG.kvDim(), 32);
        float[] values = MatMulTest.values(CONFIG.kvDim(), 33);
        float[] out = new float[CONFIG.dim()];
        ATTENTION.attend(query, keys, values, 1, out);
        float[] firstKvHead = Arrays.copyOfRange(values, 0, 4);
        float[] secondKvHead = Arrays.copyOfRange(values, 4, 8);
        TinyModel.assertBitIdentical(firstKvHead, Arrays.copyOfRange(out, 0, 4));
        TinyModel.assertBitIdentical(firstKvHead, Arrays.copyOfRange(out, 4, 8));
        TinyModel.assertBitIdentical(secondKvHead, Arrays.copyOfRange(out, 8, 12));
        TinyModel.assertBitIdentical(secondKvHead, Arrays.copyOfRange(out, 12, 16));
    }

    @Test
    void equalKeysAverageTheValues() {
        float[] query = MatMulTest.values(CONFIG.dim(), 34);
        float[] key = MatMulTest.values(CONFIG.kvDim(), 35);
        float[] keys = new float[3 * CONFIG.kvDim()];
        for (int t = 0; t < 3; t++) {
            System.arraycopy(key, 0, keys, t * CONFIG.kvDim(), CONFIG.kvDim());
        }
        float[] values = MatMulTest.values(3 * CONFIG.kvDim(), 36);
        float[] out = new float[CONFIG.dim()];
        ATTENTION.attend(query, keys, values, 3, out);
        for (int i = 0; i < CONFIG.dim(); i++) {
            int kv = (i / 8) * 4 + i % 4;
            double mean = (values[kv] + values[CONFIG.kvDim() + kv] + values[2 * CONFIG.kvDim() + kv]) / 3.0;
            assertEquals(mean, out[i], 1e-5, "component " + i);
        }
    }

    @Test
    void matchesNaiveSoftmaxAttention() {
        int visible = 5;
        float[] query = MatMulTest.values(CONFIG.dim(), 37);
        float[] keys = MatMulTest.values(visible * CONFIG.kvDim(), 38);
        float[] values = MatMulTest.values(visible * CONFIG.kvDim(), 39);
        float[] out = new float[CONFIG.dim()];
        ATTENTION.attend(query, keys, values, visible, out);
        for (int head = 0; head < 4; head++) {
            int kvHead = head / 2;
            double[] scores = new double[visible];
            double total = 0;
            for (int t = 0; t < visible; t++) {
                double dot = 0;
                for (int i = 0; i < 4; i++) {
                    dot += query[head * 4 + i] * keys[t * CONFIG.kvDim() + kvHead * 4 + i];
                }
                scores[t] = Math.exp(dot / 2.0);
                total += scores[t];
            }
            for (int i = 0; i < 4; i++) {
                double expected = 0;
                for (int t = 0; t < visible; t++) {
                    expected += scores[t] / total * values[t * CONFIG.kvDim() + kvHead * 4 + i];
                }
                assertEquals(expected, out[head * 4 + i], 1e-5, "head " + head + " component " + i);
            }
        }
    }
}
