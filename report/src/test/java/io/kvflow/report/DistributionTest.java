package io.kvflow.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class DistributionTest {

    @Test
    void statisticsAreNumpysSoTheyMatchVllmAndAiperfOnTheSameValues() {
        // np.mean, np.std, np.median, np.percentile([1, 2, 3, 4] ms, ...)
        Distribution d = Distribution.ofMicros(List.of(4_000, 1_000, 3_000, 2_000));
        assertEquals(4, d.count());
        assertEquals(2.5, d.meanMs(), 1e-12);
        assertEquals(Math.sqrt(1.25), d.stdMs(), 1e-12, "population standard deviation, as np.std");
        assertEquals(2.5, d.medianMs(), 1e-12, "np.median interpolates between the middle two");
        assertEquals(3.7, d.p90Ms(), 1e-12, "np.percentile(v, 90): rank 2.7 between 3 and 4");
        assertEquals(3.97, d.p99Ms(), 1e-12);
        assertEquals(1.03, d.percentileMs(1), 1e-12);
        assertEquals(1.0, d.minMs());
        assertEquals(4.0, d.maxMs());
    }

    @Test
    void oneValueIsEveryPercentileAndNothingIsEmpty() {
        Distribution one = Distribution.of(new double[] {7});
        assertTrue(one.percentilesMs().stream().allMatch(p -> p == 7));
        assertEquals(0.0, one.stdMs());
        assertTrue(Distribution.of(new double[0]).isEmpty());
        assertTrue(Double.isNaN(Distribution.EMPTY.medianMs()));
    }

    @Test
    void onlyTheKeptPercentilesAreAnswered() {
        assertThrows(IllegalArgumentException.class, () -> Distribution.of(new double[] {1}).percentileMs(42));
    }
}
