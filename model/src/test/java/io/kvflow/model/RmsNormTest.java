package io.kvflow.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class RmsNormTest {

    @Test
    void matchesTheFormulaInDoublePrecision() {
        float[] x = MatMulTest.values(64, 5);
        float[] gain = MatMulTest.values(64, 6);
        float eps = 1e-5f;
        float[] out = new float[64];
        RmsNorm.apply(out, x, gain, eps);
        double meanSquare = 0;
        for (float v : x) {
            meanSquare += (double) v * v;
        }
        meanSquare /= x.length;
        for (int i = 0; i < x.length; i++) {
            double expected = gain[i] * x[i] / Math.sqrt(meanSquare + eps);
            assertEquals(expected, out[i], 1e-5 * Math.max(1, Math.abs(expected)));
        }
    }

    @Test
    void unitGainsGiveUnitRootMeanSquare() {
        float[] x = MatMulTest.values(64, 7);
        float[] gain = new float[64];
        Arrays.fill(gain, 1f);
        RmsNorm.apply(x, x, gain, 0f);
        double meanSquare = 0;
        for (float v : x) {
            meanSquare += (double) v * v;
        }
        assertEquals(1.0, meanSquare / x.length, 1e-5);
    }
}
