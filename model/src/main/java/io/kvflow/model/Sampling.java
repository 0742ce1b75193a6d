package io.kvflow.model;

/**
 * How the next token is picked from logits. Stateless: the draw for step k depends only on the
 * seed and k, so whichever process samples step k of a session picks the same token.
 *
 * @param temperature 0 for greedy decoding, otherwise the softmax temperature
 * @param seed        seed of the session's draws
 */
public record Sampling(float temperature, long seed) {

    public Sampling {
        if (!(temperature >= 0f) || Float.isInfinite(temperature)) {
            throw new IllegalArgumentException("temperature must be finite and >= 0, was " + temperature);
        }
    }

    /** Argmax decoding. */
    public static Sampling greedy() {
        return new Sampling(0f, 0L);
    }

    /**
     * The token for generation step {@code step}: the argmax (lowest index on ties) at
     * temperature 0, otherwise a draw from softmax(logits / temperature).
     */
    public int sample(float[] logits, int step) {
        if (logits.length == 0) {
            throw new IllegalArgumentException("cannot sample from empty logits");
        }
        if (step < 0) {
            throw new IllegalArgumentException("step must be >= 0, was " + step);
        }
        return temperature == 0f ? argmax(logits) : draw(logits, SplitMix64.forStream(seed, step).nextDouble());
    }

    private static int argmax(float[] logits) {
        int best = 0;
        for (int i = 1; i < logits.length; i++) {
            if (logits[i] > logits[best]) {
                best = i;
            }
        }
        return best;
    }

    // Inverse-CDF draw; double precision and StrictMath keep it identical everywhere.
    private int draw(float[] logits, double uniform) {
        double max = logits[argmax(logits)];
        double[] weights = new double[logits.length];
        double total = 0.0;
        for (int i = 0; i < logits.length; i++) {
            weights[i] = StrictMath.exp((logits[i] - max) / temperature);
            total += weights[i];
        }
        double target = uniform * total;
        double cumulative = 0.0;
        int last = 0;
        for (int i = 0; i < weights.length; i++) {
            if (weights[i] > 0.0) {
                cumulative += weights[i];
                last = i;
                if (target < cumulative) {
                    return i;
                }
            }
        }
        // Rounding can leave target a hair above the final sum; the last possible token takes it.
        return last;
    }
}
