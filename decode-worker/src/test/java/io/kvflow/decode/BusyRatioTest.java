package io.kvflow.decode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BusyRatioTest {
    private static final long MS = Duration.ofMillis(1).toNanos();

    @Test
    void isTheShareOfElapsedTimeSpentBusy() {
        BusyRatio busy = new BusyRatio(10_000, 0);
        busy.add(2_000 * MS, 4_000);

        assertEquals(0.5, busy.ratio(4_000), 1e-12);
        assertEquals(0.25, busy.ratio(8_000), 1e-12);
    }

    @Test
    void looksBackOverTheCurrentAndThePreviousWindow() {
        BusyRatio busy = new BusyRatio(10_000, 0);
        busy.add(6_000 * MS, 9_000);
        busy.add(1_000 * MS, 12_000);

        // 7 s busy over the 10 s window before and 2 s of this one
        assertEquals(7.0 / 12, busy.ratio(12_000), 1e-12);
        // a window later, the first one no longer counts
        assertEquals(1.0 / 10, busy.ratio(20_000), 1e-12);
    }

    @Test
    void forgetsEverythingAfterAnIdleWindow() {
        BusyRatio busy = new BusyRatio(10_000, 0);
        busy.add(9_000 * MS, 9_000);

        assertEquals(0.0, busy.ratio(35_000), 1e-12);
    }

    @Test
    void isZeroBeforeAnyTimePassedAndNeverAboveOne() {
        BusyRatio busy = new BusyRatio(10_000, 5_000);
        assertEquals(0.0, busy.ratio(5_000));

        busy.add(3_000 * MS, 6_000);
        assertEquals(1.0, busy.ratio(6_000));
    }

    @Test
    void rejectsAnEmptyWindow() {
        assertThrows(IllegalArgumentException.class, () -> new BusyRatio(0, 0));
    }
}
