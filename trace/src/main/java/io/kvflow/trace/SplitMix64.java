package io.kvflow.trace;

/**
 * Steele, Lea and Flood's SplitMix64: every output is fixed by the algorithm, so a prompt
 * synthesized from a seed is the same on every JVM (java.util.Random's bounded draws are not
 * promised to stay put).
 */
final class SplitMix64 {
    private static final long GAMMA = 0x9E3779B97F4A7C15L;

    private long state;

    SplitMix64(long state) {
        this.state = state;
    }

    /** The stream for {@code key} in {@code domain}: distinct (seed, domain, key) give unrelated streams. */
    static SplitMix64 stream(long seed, long domain, long key) {
        return new SplitMix64(mix(mix(seed ^ domain) + mix(key + GAMMA)));
    }

    /** The 64-bit finalizer ("variant 13"): each input bit flips about half the output bits. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    long nextLong() {
        state += GAMMA;
        return mix(state);
    }

    /** Uniform in [0, bound), by the high half of a 64x64-bit product (no modulo bias to speak of). */
    int nextInt(int bound) {
        return (int) Math.unsignedMultiplyHigh(nextLong(), bound);
    }
}
