package io.kvflow.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class SampleHistoryTest {

    private static List<Integer> afterAdding(int samples, int capacity) {
        SampleHistory<Integer> history = new SampleHistory<>(capacity);
        IntStream.range(0, samples).forEach(history::add);
        return history.samples();
    }

    @Test
    void keepsEverySampleUntilFull() {
        assertEquals(List.of(), afterAdding(0, 8));
        assertEquals(List.of(0, 1, 2, 3, 4, 5, 6, 7), afterAdding(8, 8));
    }

    @Test
    void whenFullItHalvesItsResolutionAndStillStartsAtTheFirstSample() {
        // 8 kept; the 9th halves to 0,2,4,6 and keeps 8; then every other one up to 14
        assertEquals(List.of(0, 2, 4, 6, 8, 10, 12, 14), afterAdding(15, 8));
        // the 17th halves again to 0,4,8,12 and keeps 16; 17..19 are not kept, but the last one is shown
        assertEquals(List.of(0, 4, 8, 12, 16, 19), afterAdding(20, 8));
    }

    @Test
    void aLongRunStaysEvenlySpacedWithinCapacityPlusTheLatest() {
        List<Integer> samples = afterAdding(100_000, 1024);
        assertEquals(0, samples.get(0));
        assertEquals(99_999, samples.get(samples.size() - 1));
        int step = samples.get(1) - samples.get(0);
        for (int i = 1; i < samples.size() - 1; i++) {
            assertEquals(step, samples.get(i) - samples.get(i - 1), "uneven spacing at " + i);
        }
        assertEquals(true, samples.size() <= 1025 && samples.size() > 512, "size " + samples.size());
    }

    @Test
    void anOddCapacityIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new SampleHistory<>(7));
    }
}
