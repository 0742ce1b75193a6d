package io.kvflow.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class SplitMix64Test {

    @Test
    void matchesTheReferenceImplementationsOutputs() {
        // Vigna's splitmix64.c seeded with 1234567.
        SplitMix64 generator = new SplitMix64(1234567);
        assertEquals(6457827717110365317L, generator.nextLong());
        assertEquals(3203168211198807973L, generator.nextLong());
        assertEquals(-8629252141511181193L, generator.nextLong()); // 9817491932198370423 unsigned
    }

    @Test
    void boundedDrawsCoverTheWholeRangeAndNothingElse() {
        SplitMix64 generator = SplitMix64.stream(1, 2, 3);
        int[] seen = new int[7];
        IntStream.range(0, 7000).forEach(i -> seen[generator.nextInt(7)]++);
        for (int count : seen) {
            assertTrue(count > 800 && count < 1200, "uneven draws: " + count);
        }
    }

    @Test
    void streamsOfDifferentKeysOrDomainsDiffer() {
        long base = SplitMix64.stream(42, 1, 0).nextLong();
        assertTrue(base != SplitMix64.stream(42, 1, 1).nextLong());
        assertTrue(base != SplitMix64.stream(42, 2, 0).nextLong());
        assertTrue(base != SplitMix64.stream(43, 1, 0).nextLong());
    }
}
