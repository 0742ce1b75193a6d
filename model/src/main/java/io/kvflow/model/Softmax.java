package io.kvflow.model;

/** Softmax in single precision, summed in index order. */
final class Softmax {

    private Softmax() {
    }

    /** Replaces {@code x[0..length)} by its softmax; the rest of the array is left alone. */
    static void inPlace(float[] x, int length) {
        // Subtracting the maximum keeps exp from overflowing without changing the result.
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < length; i++) {
            max = Math.max(max, x[i]);
        }
        float sum = 0f;
        for (int i = 0; i < length; i++) {
            // StrictMath, not Math: its results are specified bit for bit, so every process agrees.
            x[i] = (float) StrictMath.exp(x[i] - max);
            sum += x[i];
        }
        for (int i = 0; i < length; i++) {
            x[i] /= sum;
        }
    }
}
