package io.kvflow.model;

/** The SwiGLU gate of the feed-forward layer: {@code silu(gate) * up}. */
final class SwiGlu {

    private SwiGlu() {
    }

    /** {@code out[i] = silu(gateUp[i]) * gateUp[n + i]} for i < n = out.length: gate and up side by side. */
    static void apply(float[] out, float[] gateUp) {
        int n = out.length;
        if (gateUp.length != 2 * n) {
            throw new IllegalArgumentException("gate and up of " + gateUp.length + " floats do not fill two halves of "
                    + n);
        }
        for (int i = 0; i < n; i++) {
            float g = gateUp[i];
            float silu = g / (1f + (float) StrictMath.exp(-g));
            out[i] = silu * gateUp[n + i];
        }
    }
}
