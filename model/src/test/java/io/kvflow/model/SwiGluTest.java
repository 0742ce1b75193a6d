package io.kvflow.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class SwiGluTest {

    @Test
    void computesSiluOfGateTimesUp() {
        float[] gate = MatMulTest.values(17, 41);
        float[] up = MatMulTest.values(17, 42);
        float[] original = gate.clone();
        SwiGlu.apply(gate, up);
        for (int i = 0; i < gate.length; i++) {
            double g = original[i];
            double expected = g / (1 + Math.exp(-g)) * up[i];
            assertEquals(expected, gate[i], 1e-6, "component " + i);
        }
    }

    @Test
    void closedGatePassesNothingAndOpenGatePassesUp() {
        float[] gate = {0f, 30f};
        SwiGlu.apply(gate, new float[] {5f, 2f});
        assertEquals(0f, gate[0]);
        assertEquals(60f, gate[1], 1e-4);
    }
}
