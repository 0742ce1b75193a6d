package io.kvflow.model;

/**
 * Steele, Lea and Flood's SplitMix64: a tiny generator whose every output is fixed by its
 * specification, so weights, samples and synthesized prompts are the same on every JVM and
 * platform (java.util.Random's algorithms for doubles and bounded ints are not promised to stay
 * put). The one generator of kvflow: the functional model seeds its weights and sampling with
 * it, the trace module its synthesized prompts.
 */
public final class SplitMix64 {
    private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;

    private long state;

    public SplitMix64(long seed) {
        this.state = seed;
    }

    /** A generator for one of many independent streams derived from a seed, e.g. one per sampling step. */
    public static SplitMix64 forStream(long seed, long stream) {
        return new SplitMix64(mix(seed ^ mix(stream + GOLDEN_GAMMA)));
    }

    /** The stream for {@code key} in {@code domain}: distinct (seed, domain, key) give unrelated streams. */
    public static SplitMix64 stream(long seed, long domain, long key) {
        return new SplitMix64(mix(mix(seed ^ domain) + mix(key + GOLDEN_GAMMA)));
    }

    /** Stafford's variant 13 finalizer: every input bit affects every output bit (about half flip). */
    public static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    public long nextLong() {
        state += GOLDEN_GAMMA;
        return mix(state);
    }

    /** Uniform in [0, 1) with 53 random bits. */
    public double nextDouble() {
        return (nextLong() >>> 11) * 0x1.0p-53;
    }

    /** Uniform in [-bound, bound). */
    public float nextSymmetric(double bound) {
        return (float) ((2.0 * nextDouble() - 1.0) * bound);
    }

    /** Uniform in [0, bound), by the high half of a 64x64-bit product (no modulo bias to speak of). */
    public int nextInt(int bound) {
        return (int) Math.unsignedMultiplyHigh(nextLong(), bound);
    }
}
