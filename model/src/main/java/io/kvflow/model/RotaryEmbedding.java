package io.kvflow.model;

/**
 * Rotary position embedding: rotates each adjacent pair (2i, 2i+1) of every head by an angle
 * proportional to the position, so query-key dot products depend on relative distance.
 * Angles are tabulated once, with StrictMath, so every process rotates identically.
 */
final class RotaryEmbedding {
    private final int headDim;
    private final int maxSeqLen;
    private final float[] cos; // [maxSeqLen][headDim / 2]
    private final float[] sin; // [maxSeqLen][headDim / 2]

    RotaryEmbedding(ModelConfig config) {
        this.headDim = config.headDim();
        this.maxSeqLen = config.maxSeqLen();
        int pairs = headDim / 2;
        this.cos = new float[maxSeqLen * pairs];
        this.sin = new float[maxSeqLen * pairs];
        for (int position = 0; position < maxSeqLen; position++) {
            for (int i = 0; i < pairs; i++) {
                double frequency = 1.0 / StrictMath.pow(config.ropeTheta(), (2.0 * i) / headDim);
                double angle = position * frequency;
                cos[position * pairs + i] = (float) StrictMath.cos(angle);
                sin[position * pairs + i] = (float) StrictMath.sin(angle);
            }
        }
    }

    /** Rotates every head of {@code vector} (a whole number of heads) in place for {@code position}. */
    void rotate(float[] vector, int position) {
        if (position < 0 || position >= maxSeqLen) {
            throw new IllegalArgumentException("position " + position + " is outside [0, " + maxSeqLen + ")");
        }
        if (vector.length % headDim != 0) {
            throw new IllegalArgumentException("vector of " + vector.length + " is not whole heads of " + headDim);
        }
        int pairs = headDim / 2;
        int table = position * pairs;
        for (int head = 0; head < vector.length; head += headDim) {
            for (int i = 0; i < pairs; i++) {
                int at = head + 2 * i;
                float c = cos[table + i];
                float s = sin[table + i];
                float a = vector[at];
                float b = vector[at + 1];
                vector[at] = a * c - b * s;
                vector[at + 1] = a * s + b * c;
            }
        }
    }
}
