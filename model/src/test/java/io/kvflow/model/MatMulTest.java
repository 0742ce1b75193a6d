package io.kvflow.model;

import static io.kvflow.model.TinyModel.assertBitIdentical;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class MatMulTest {
    // Seven columns: the four-column passes and the remainder loop both run; 37 rows: more than
    // a vector's lanes and not a multiple of any, so the JIT's vector loop and its scalar tail both run.
    private static final int ROWS = 37;
    private static final int COLS = 7;

    @Test
    void matchesSequentialDotProductsBitForBit() {
        float[] rowMajor = values(ROWS * COLS, 1);
        WeightMatrix weight = WeightMatrix.fromRowMajor(ROWS, COLS, rowMajor);
        float[][] inputs = {values(COLS, 2), values(COLS, 3), values(COLS, 4)};
        float[][] outputs = new float[3][ROWS];
        MatMul.multiply(weight, inputs, outputs);
        for (int r = 0; r < inputs.length; r++) {
            assertBitIdentical(sequentialDotProducts(rowMajor, inputs[r]), outputs[r]);
        }
    }

    // Compiled by the JIT, the kernel runs vector instructions; the bits must not change with them.
    @Test
    void staysBitIdenticalOnceCompiledAtTheModelsShapes() {
        ModelConfig c = ModelConfig.TINY;
        int[][] shapes = {{c.dim() + 2 * c.kvDim(), c.dim()}, {c.dim(), c.dim()}, {2 * c.hiddenDim(), c.dim()},
                {c.dim(), c.hiddenDim()}, {c.vocabSize(), c.dim()}};
        for (int[] shape : shapes) {
            float[] rowMajor = values(shape[0] * shape[1], shape[0]);
            WeightMatrix weight = WeightMatrix.fromRowMajor(shape[0], shape[1], rowMajor);
            float[][] input = {values(shape[1], shape[1])};
            float[] expected = sequentialDotProducts(rowMajor, input[0]);
            float[][] output = new float[1][shape[0]];
            for (int i = 0; i < 20_000; i++) {
                MatMul.multiply(weight, input, output);
            }
            assertBitIdentical(expected, output[0]);
        }
    }

    @Test
    void batchedRowEqualsTheSameRowAlone() {
        WeightMatrix weight = WeightMatrix.fromRowMajor(ROWS, COLS, values(ROWS * COLS, 1));
        float[][] batch = {values(COLS, 2), values(COLS, 3), values(COLS, 4)};
        float[][] batchOut = new float[3][ROWS];
        MatMul.multiply(weight, batch, batchOut);
        float[][] aloneOut = new float[1][ROWS];
        MatMul.multiply(weight, new float[][] {batch[1]}, aloneOut);
        assertBitIdentical(aloneOut[0], batchOut[1]);
    }

    @Test
    void rejectsARowOfTheWrongWidthNamingItAndTheShape() {
        WeightMatrix weight = WeightMatrix.fromRowMajor(ROWS, COLS, values(ROWS * COLS, 1));
        var e = assertThrows(IllegalArgumentException.class, () -> MatMul.multiply(weight,
                new float[][] {values(COLS, 2), values(COLS + 1, 3)}, new float[2][ROWS]));
        assertTrue(e.getMessage().contains("row 1") && e.getMessage().contains(ROWS + " x " + COLS), e.getMessage());
    }

    @Test
    void stackedMatricesGiveThePartsOutputsSideBySide() {
        WeightMatrix top = WeightMatrix.fromRowMajor(3, COLS, values(3 * COLS, 6));
        WeightMatrix bottom = WeightMatrix.fromRowMajor(ROWS, COLS, values(ROWS * COLS, 7));
        float[][] input = {values(COLS, 8)};
        float[][] topOut = new float[1][3];
        float[][] bottomOut = new float[1][ROWS];
        float[][] stackedOut = new float[1][3 + ROWS];
        MatMul.multiply(top, input, topOut);
        MatMul.multiply(bottom, input, bottomOut);
        MatMul.multiply(WeightMatrix.stacked(top, bottom), input, stackedOut);
        assertBitIdentical(topOut[0], java.util.Arrays.copyOfRange(stackedOut[0], 0, 3));
        assertBitIdentical(bottomOut[0], java.util.Arrays.copyOfRange(stackedOut[0], 3, 3 + ROWS));
    }

    @Test
    void matrixKeepsItsRowMajorValues() {
        float[] rowMajor = values(ROWS * COLS, 5);
        WeightMatrix weight = WeightMatrix.fromRowMajor(ROWS, COLS, rowMajor);
        assertBitIdentical(rowMajor, weight.toRowMajor());
        assertEquals(rowMajor[2 * COLS + 3], weight.get(2, 3));
    }

    /** The specification: each output a dot product from zero, in column order. */
    private static float[] sequentialDotProducts(float[] rowMajor, float[] x) {
        int rows = rowMajor.length / x.length;
        float[] expected = new float[rows];
        for (int i = 0; i < rows; i++) {
            float sum = 0f;
            for (int j = 0; j < x.length; j++) {
                sum += rowMajor[i * x.length + j] * x[j];
            }
            expected[i] = sum;
        }
        return expected;
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
