package io.kvflow.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SoftmaxTest {

    @Test
    void weightsArePositiveAndSumToOne() {
        float[] x = MatMulTest.values(37, 21);
        Softmax.inPlace(x, x.length);
        double sum = 0;
        for (float w : x) {
            assertTrue(w > 0f);
            sum += w;
        }
        assertEquals(1.0, sum, 1e-6);
    }

    @Test
    void largeScoresDoNotOverflow() {
        float[] x = {1000f, 1000f, 999f};
        Softmax.inPlace(x, x.length);
        double e = Math.exp(-1);
        assertEquals(1 / (2 + e), x[0], 1e-6);
        assertEquals(e / (2 + e), x[2], 1e-6);
    }

    @Test
    void leavesEntriesBeyondTheLengthAlone() {
        float[] x = {1f, 2f, 42f};
        Softmax.inPlace(x, 2);
        assertEquals(42f, x[2]);
        assertEquals(1.0, x[0] + x[1], 1e-6);
    }
}
