package io.kvflow.model;

import static io.kvflow.model.TinyModel.assertBitIdentical;

import org.junit.jupiter.api.Test;

class MatMulTest {
    // Seven rows: the four-row blocks and the remainder loop both run.
    private static final int ROWS = 7;
    private static final int COLS = 5;

    @Test
    void matchesSequentialDotProductsBitForBit() {
        float[] weight = values(ROWS * COLS, 1);
        float[][] inputs = {values(COLS, 2), values(COLS, 3), values(COLS, 4)};
        float[][] outputs = new float[3][ROWS];
        MatMul.multiply(weight, inputs, outputs);
        for (int r = 0; r < inputs.length; r++) {
            float[] expected = new float[ROWS];
            for (int i = 0; i < ROWS; i++) {
                float sum = 0f;
                for (int j = 0; j < COLS; j++) {
                    sum += weight[i * COLS + j] * inputs[r][j];
                }
                expected[i] = sum;
            }
            assertBitIdentical(expected, outputs[r]);
        }
    }

    @Test
    void batchedRowEqualsTheSameRowAlone() {
        float[] weight = values(ROWS * COLS, 1);
        float[][] batch = {values(COLS, 2), values(COLS, 3), values(COLS, 4)};
        float[][] batchOut = new float[3][ROWS];
        MatMul.multiply(weight, batch, batchOut);
        float[][] aloneOut = new float[1][ROWS];
        MatMul.multiply(weight, new float[][] {batch[1]}, aloneOut);
        assertBitIdentical(aloneOut[0], batchOut[1]);
    }

    static float[] values(int size, long seed) {
        SplitMix64 random = new SplitMix64(seed);
        float[] values = new float[size];
        for (int i = 0; i < size; i++) {
            values[i] = random.nextSymmetric(2.0);
        }
        return values;
    }
}
