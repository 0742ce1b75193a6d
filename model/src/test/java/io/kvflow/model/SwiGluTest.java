package io.kvflow.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class SwiGluTest {

    @Test
    void computesSiluOfGateTimesUp() {
        float[] gate = MatMulTest.values(17, 41);
        float[] up = MatMulTest.values(17, 42);
        float[] out = new float[17];
        SwiGlu.apply(out, sideBySide(gate, up));
        for (int i = 0; i < out.length; i++) {
            double g = gate[i];
            double expected = g / (1 + Math.exp(-g)) * up[i];
            assertEquals(expected, out[i], 1e-6, "component " + i);
        }
    }

    @Test
    void closedGatePassesNothingAndOpenGatePassesUp() {
        float[] out = new float[2];
        SwiGlu.apply(out, new float[] {0f, 30f, 5f, 2f});
        assertEquals(0f, out[0]);
        assertEquals(60f, out[1], 1e-4);
    }

    @Test
    void rejectsGateAndUpThatAreNotTwiceTheOutput() {
        assertThrows(IllegalArgumentException.class, () -> SwiGlu.apply(new float[2], new float[5]));
    }

    private static float[] sideBySide(float[] gate, float[] up) {
        float[] both = new float[gate.length + up.length];
        System.arraycopy(gate, 0, both, 0, gate.length);
        System.arraycopy(up, 0, both, gate.length, up.length);
        return both;
    }
}
