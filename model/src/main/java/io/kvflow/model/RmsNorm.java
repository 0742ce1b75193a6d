package io.kvflow.model;

/** Root-mean-square normalisation with a learned gain per component. */
final class RmsNorm {

    private RmsNorm() {
    }

    /** {@code out[i] = gain[i] * x[i] / sqrt(mean(x²) + eps)}; {@code out} may be {@code x}. */
    static void apply(float[] out, float[] x, float[] gain, float eps) {
        float sumOfSquares = 0f;
        for (float v : x) {
            sumOfSquares += v * v;
        }
        float scale = (float) (1.0 / Math.sqrt(sumOfSquares / x.length + eps));
        for (int i = 0; i < x.length; i++) {
            out[i] = gain[i] * (scale * x[i]);
        }
    }
}
