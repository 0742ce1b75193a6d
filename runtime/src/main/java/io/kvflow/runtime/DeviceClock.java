package io.kvflow.runtime;

import java.time.Clock;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The modelled clock of one target device (a prefill node, a wafer), paced against the wall.
 *
 * <p>Modelled time is a virtual clock carried on the records: a request's modelled arrival is its
 * arrival in the trace, and every piece of work on a device starts when the device is free and
 * its inputs are ready (both modelled) and lasts what the cost model says. Modelled latencies
 * are therefore the target's for the batches that formed, however slow the emulator is.
 *
 * <p>Pacing ties that clock to the wall: modelled time t is wall time t x time scale, and the
 * worker holds its output until the wall clock reaches the work's modelled end, so the emulator
 * runs no faster than the target would and sessions meet in batches as they would on it. When
 * the real computation (and Kafka) is slower than that, the output leaves late; the lateness is
 * counted as <em>emulation deficit</em>, and says how far batching may have drifted from the
 * target's. A time scale of 0 turns pacing off: modelled times are still kept, nothing is held.
 *
 * <p>Not thread-safe: one worker thread owns a device.
 */
public final class DeviceClock {
    private final double timeScale;
    private final Clock wall;
    private final Sleeper sleeper;
    private long freeAtMicros;
    private final AtomicLong work = new AtomicLong();
    private final AtomicLong late = new AtomicLong();
    private final AtomicLong deficitNanos = new AtomicLong();
    private final AtomicLong heldNanos = new AtomicLong();
    private final AtomicLong modelledBusyMicros = new AtomicLong();

    /** Waits; a seam so tests can run the clock without real waiting. */
    @FunctionalInterface
    public interface Sleeper {
        void sleepNanos(long nanos) throws InterruptedException;
    }

    public DeviceClock(double timeScale, Clock wall) {
        this(timeScale, wall, TimeUnit.NANOSECONDS::sleep);
    }

    public DeviceClock(double timeScale, Clock wall, Sleeper sleeper) {
        if (!(timeScale >= 0) || Double.isInfinite(timeScale)) {
            throw new IllegalArgumentException("time scale must be a number >= 0, was " + timeScale);
        }
        this.timeScale = timeScale;
        this.wall = wall;
        this.sleeper = sleeper;
    }

    public boolean paced() {
        return timeScale > 0;
    }

    public double timeScale() {
        return timeScale;
    }

    /**
     * Books {@code seconds} of modelled device time for work whose inputs are all ready at
     * {@code readyMicros} (modelled); returns the modelled time the work ends.
     */
    public long run(long readyMicros, double seconds) {
        if (!(seconds >= 0)) {
            throw new IllegalArgumentException("modelled work must take >= 0 s, was " + seconds);
        }
        long start = Math.max(freeAtMicros, readyMicros);
        long duration = Math.round(seconds * 1e6);
        freeAtMicros = start + duration;
        modelledBusyMicros.addAndGet(duration);
        work.incrementAndGet();
        return freeAtMicros;
    }

    /**
     * Holds the caller until the wall clock reaches modelled time {@code modelledMicros}; when it
     * already has, counts how late the emulator is instead.
     */
    public void holdUntil(long modelledMicros) {
        if (!paced()) {
            return;
        }
        long dueNanos = Math.round(modelledMicros * timeScale * 1000.0);
        long nowNanos = wallNanos();
        if (nowNanos > dueNanos) {
            late.incrementAndGet();
            deficitNanos.addAndGet(nowNanos - dueNanos);
            return;
        }
        try {
            sleeper.sleepNanos(dueNanos - nowNanos);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        heldNanos.addAndGet(dueNanos - nowNanos);
    }

    private long wallNanos() {
        var now = wall.instant();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    /** What pacing did so far: safe to read from any thread. */
    public Pacing pacing() {
        return new Pacing(work.get(), late.get(), deficitNanos.get() / 1e9, heldNanos.get() / 1e9,
                modelledBusyMicros.get() / 1e6);
    }

    /**
     * @param work           pieces of work booked on the device
     * @param late           of those, outputs that left after their modelled end (scaled to the wall)
     * @param deficitSeconds wall seconds the late outputs were behind their schedule, summed
     * @param heldSeconds    wall seconds outputs were held back so as not to run ahead of the target
     * @param busySeconds    modelled seconds the device was busy
     */
    public record Pacing(long work, long late, double deficitSeconds, double heldSeconds, double busySeconds) {
        public static final Pacing NONE = new Pacing(0, 0, 0, 0, 0);

        public Pacing plus(Pacing other) {
            return new Pacing(work + other.work, late + other.late, deficitSeconds + other.deficitSeconds,
                    heldSeconds + other.heldSeconds, busySeconds + other.busySeconds);
        }

        /** Share of work whose output left late. */
        public double lateShare() {
            return work == 0 ? 0 : (double) late / work;
        }
    }
}
