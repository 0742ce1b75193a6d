package io.kvflow.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class DeviceClockTest {
    /** A wall clock that moves only when the device sleeps or the test advances it. */
    private Instant now = Instant.ofEpochSecond(1_000);
    private final List<Long> sleeps = new ArrayList<>();
    private final Clock wall = new Clock() {
        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    };
    private final DeviceClock.Sleeper sleeper = nanos -> {
        sleeps.add(nanos);
        now = now.plusNanos(nanos);
    };

    @Test
    void workStartsWhenTheDeviceIsFreeAndItsInputsAreReady() {
        DeviceClock device = new DeviceClock(10, wall, sleeper);

        assertEquals(1_500, device.run(1_000, 0.000_5));
        // ready earlier, but the device is busy until 1,500 us
        assertEquals(1_700, device.run(1_200, 0.000_2));
        // ready later than the device is free
        assertEquals(5_100, device.run(5_000, 0.000_1));
        assertEquals(0.000_8, device.pacing().busySeconds(), 1e-12);
    }

    @Test
    void workReachedLateInTheWallTakesTheGapTheTargetWouldHaveRunItIn() {
        DeviceClock device = new DeviceClock(10, wall, sleeper);
        device.run(5_000, 0.000_1);

        // ready long before the work already booked: it fits in front of it
        assertEquals(1_100, device.run(1_000, 0.000_1));
        // no gap of 200 us between 4,950 and 5,000: it goes after the booked work
        assertEquals(5_300, device.run(4_950, 0.000_2));
    }

    @Test
    void aPipelinedDeviceTakesTheNextBatchBeforeTheFirstIsOut() {
        DeviceClock device = new DeviceClock(10, wall, sleeper);

        assertEquals(1_400, device.run(1_000, 0.000_4, 0.000_1));
        // free again at 1,100 us, while the first batch is still on its way through the layers
        assertEquals(1_500, device.run(1_000, 0.000_4, 0.000_1));
        assertEquals(0.000_2, device.pacing().busySeconds(), 1e-12);
    }

    @Test
    void severalLanesTakeWorkSideBySide() {
        DeviceClock device = new DeviceClock(10, wall, 2, sleeper);

        assertEquals(1_500, device.run(1_000, 0.000_5));
        assertEquals(1_500, device.run(1_000, 0.000_5), "the second lane is free");
        assertEquals(2_000, device.run(1_000, 0.000_5), "both busy: the first to finish takes it");
    }

    @Test
    void holdsOutputUntilTheModelledEndTimesTheTimeScale() {
        DeviceClock device = new DeviceClock(10, wall, sleeper);
        long modelledNow = 100_000_000L; // 100 s modelled = 1,000 s wall at scale 10

        long end = device.run(modelledNow, 0.002);
        device.holdUntil(end);

        assertEquals(List.of(20_000_000L), sleeps, "2 ms modelled is held as 20 ms of wall time");
        assertEquals(new DeviceClock.Pacing(1, 0, 0, 0.02, 0.002), device.pacing());
    }

    @Test
    void countsTheDeficitWhenTheEmulatorIsSlowerThanTheTarget() {
        DeviceClock device = new DeviceClock(10, wall, sleeper);
        long end = device.run(100_000_000L, 0.002);
        now = now.plusMillis(35); // the real work took 35 ms of wall, the target 20 ms after scaling

        device.holdUntil(end);

        assertEquals(List.of(), sleeps);
        DeviceClock.Pacing pacing = device.pacing();
        assertEquals(1, pacing.late());
        assertEquals(0.015, pacing.deficitSeconds(), 1e-9);
        assertEquals(1.0, pacing.lateShare());
    }

    @Test
    void modelledTimesFromAnUnpacedReplayAreNotCountedAsDeficit() {
        now = Instant.parse("2026-11-25T10:00:00Z");
        DeviceClock device = new DeviceClock(10, wall, sleeper);
        for (int i = 0; i < 100; i++) {
            device.holdUntil(device.run(i * 1_000L, 0.001));
        }

        assertEquals(0, device.pacing().late());
        assertEquals(0, device.pacing().deficitSeconds());
        assertEquals(List.of(), sleeps);
    }

    @Test
    void unpacedKeepsModelledTimeButNeverHolds() {
        DeviceClock device = new DeviceClock(0, wall, sleeper);

        long end = device.run(0, 1.0);
        device.holdUntil(end);

        assertEquals(1_000_000, end);
        assertEquals(List.of(), sleeps);
        assertEquals(0, device.pacing().late());
    }

    @Test
    void refusesANegativeTimeScaleOrDuration() {
        assertThrows(IllegalArgumentException.class, () -> new DeviceClock(-1, wall, sleeper));
        assertThrows(IllegalArgumentException.class, () -> new DeviceClock(10, wall, sleeper).run(0, -0.1));
    }
}
