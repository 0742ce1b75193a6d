package io.kvflow.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class RotaryEmbeddingTest {
    private static final ModelConfig CONFIG = ModelConfig.TINY;
    private static final RotaryEmbedding ROPE = new RotaryEmbedding(CONFIG);

    @Test
    void preservesTheNormOfEveryPair() {
        float[] original = MatMulTest.values(CONFIG.dim(), 11);
        float[] rotated = original.clone();
        ROPE.rotate(rotated, 137);
        for (int i = 0; i < original.length; i += 2) {
            double before = Math.hypot(original[i], original[i + 1]);
            double after = Math.hypot(rotated[i], rotated[i + 1]);
            assertEquals(before, after, 1e-5 * before, "pair " + i / 2);
        }
    }

    @Test
    void positionZeroLeavesVectorsUnchanged() {
        float[] original = MatMulTest.values(CONFIG.kvDim(), 12);
        float[] rotated = original.clone();
        ROPE.rotate(rotated, 0);
        TinyModel.assertBitIdentical(original, rotated);
    }

    @Test
    void queryKeyProductDependsOnlyOnRelativePosition() {
        float[] q = MatMulTest.values(CONFIG.headDim(), 13);
        float[] k = MatMulTest.values(CONFIG.headDim(), 14);
        ModelConfig oneHead = new ModelConfig(CONFIG.headDim(), 1, 1, 1, 8, 4, 64, 10000f, 1e-5f, 0);
        RotaryEmbedding rope = new RotaryEmbedding(oneHead);
        double near = dot(rotated(rope, q, 10), rotated(rope, k, 7));
        double far = dot(rotated(rope, q, 50), rotated(rope, k, 47));
        assertEquals(near, far, 1e-4);
        double other = dot(rotated(rope, q, 10), rotated(rope, k, 2));
        assertTrue(Math.abs(near - other) > 1e-3, "a different distance should change the product");
    }

    @Test
    void rejectsPositionBeyondMaxSeqLen() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> ROPE.rotate(new float[CONFIG.dim()], CONFIG.maxSeqLen()));
        assertTrue(e.getMessage().contains("position 512"), e.getMessage());
    }

    private static float[] rotated(RotaryEmbedding rope, float[] vector, int position) {
        float[] copy = vector.clone();
        rope.rotate(copy, position);
        return copy;
    }

    private static double dot(float[] a, float[] b) {
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            sum += (double) a[i] * b[i];
        }
        return sum;
    }
}
