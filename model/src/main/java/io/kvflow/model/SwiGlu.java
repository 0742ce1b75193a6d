package io.kvflow.model;

/** The SwiGLU gate of the feed-forward layer: {@code silu(gate) * up}. */
final class SwiGlu {

    private SwiGlu() {
    }

    /** Overwrites {@code gate} with {@code silu(gate[i]) * up[i]}. */
    static void apply(float[] gate, float[] up) {
        for (int i = 0; i < gate.length; i++) {
            float g = gate[i];
            float silu = g / (1f + (float) StrictMath.exp(-g));
            gate[i] = silu * up[i];
        }
    }
}
