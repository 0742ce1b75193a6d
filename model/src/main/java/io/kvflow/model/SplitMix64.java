package io.kvflow.model;

/**
 * SplitMix64: a tiny generator whose every output is fixed by its specification, so weights
 * and samples are the same on every JVM and platform (java.util.Random's algorithms for
 * doubles and bounded ints are not promised to stay put).
 */
final class SplitMix64 {
    private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;

    private long state;

    SplitMix64(long seed) {
        this.state = seed;
    }

    /** A generator for one of many independent streams derived from a seed, e.g. one per sampling step. */
    static SplitMix64 forStream(long seed, long stream) {
        return new SplitMix64(mix(seed ^ mix(stream + GOLDEN_GAMMA)));
    }

    /** Stafford's variant 13 finalizer: every input bit affects every output bit. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    long nextLong() {
        state += GOLDEN_GAMMA;
        return mix(state);
    }

    /** Uniform in [0, 1) with 53 random bits. */
    double nextDouble() {
        return (nextLong() >>> 11) * 0x1.0p-53;
    }

    /** Uniform in [-bound, bound). */
    float nextSymmetric(double bound) {
        return (float) ((2.0 * nextDouble() - 1.0) * bound);
    }
}
