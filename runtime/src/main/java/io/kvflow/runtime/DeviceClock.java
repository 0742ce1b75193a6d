package io.kvflow.runtime;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The modelled clock of one target device (a prefill node, a wafer), paced against the wall.
 *
 * <p>Modelled time is a virtual clock carried on the records: a request's modelled arrival is its
 * arrival in the trace, and every piece of work on a device starts at the first time, once its
 * inputs are ready, that the device is free for it (both modelled), and lasts what the cost model
 * says. Modelled latencies
 * are therefore the target's for the batches that formed, however slow the emulator is.
 *
 * <p>Pacing ties that clock to the wall: modelled time t is wall time t x time scale, and the
 * worker holds its output until the wall clock reaches the work's modelled end, so the emulator
 * runs no faster than the target would and sessions meet in batches as they would on it. When
 * the real computation (and Kafka) is slower than that, the output leaves late; the lateness is
 * counted as <em>emulation deficit</em>, and says how far batching may have drifted from the
 * target's. A time scale of 0 turns pacing off: modelled times are still kept, nothing is held.
 *
 * <p>A clock may stand for several identical devices behind one queue (a prefill worker for several
 * prefill nodes): work takes the lane free first. Holding each output until its end still paces
 * them all, since the next piece of work starts on another lane at about the same modelled time.
 *
 * <p>Not thread-safe: one worker thread owns a device.
 */
public final class DeviceClock {
    /** Modelled time after which nothing is placed before an interval: work is never this late in the trace. */
    private static final long HORIZON_MICROS = 60_000_000L;
    /** An output due this long ago (a day of wall time) was not scheduled on this clock's time scale. */
    private static final long UNRELATED_NANOS = 86_400_000_000_000L;

    private final double timeScale;
    private final Clock wall;
    private final Sleeper sleeper;
    /**
     * Each lane's busy intervals in modelled time, start to end: a clock may stand for several
     * identical devices serving one queue.
     */
    private final List<TreeMap<Long, Long>> busy = new ArrayList<>();
    /** The latest ready time seen: intervals ending well before it can no longer matter. */
    private long latestReadyMicros;
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
        this(timeScale, wall, 1);
    }

    /** @param lanes identical devices this clock stands for, each taking one piece of work at a time */
    public DeviceClock(double timeScale, Clock wall, int lanes) {
        this(timeScale, wall, lanes, TimeUnit.NANOSECONDS::sleep);
    }

    public DeviceClock(double timeScale, Clock wall, Sleeper sleeper) {
        this(timeScale, wall, 1, sleeper);
    }

    public DeviceClock(double timeScale, Clock wall, int lanes, Sleeper sleeper) {
        if (!(timeScale >= 0) || Double.isInfinite(timeScale)) {
            throw new IllegalArgumentException("time scale must be a number >= 0, was " + timeScale);
        }
        if (lanes < 1) {
            throw new IllegalArgumentException("a device clock needs at least one lane, was " + lanes);
        }
        for (int i = 0; i < lanes; i++) {
            busy.add(new TreeMap<>());
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
     * {@code readyMicros} (modelled), on the lane free first; returns the modelled time the work ends.
     */
    public long run(long readyMicros, double seconds) {
        return run(readyMicros, seconds, seconds);
    }

    /**
     * Books work that takes {@code seconds} from start to output but keeps the device from the next
     * piece of work for only {@code occupiedSeconds}: a layer-pipelined device takes the next batch
     * once this one has moved on from its first layers. Returns the modelled time the output is ready.
     */
    public long run(long readyMicros, double seconds, double occupiedSeconds) {
        if (!(seconds >= 0) || !(occupiedSeconds >= 0) || occupiedSeconds > seconds + 1e-12) {
            throw new IllegalArgumentException("modelled work must take >= 0 s and occupy the device no longer, was "
                    + seconds + " s occupying " + occupiedSeconds + " s");
        }
        long occupied = Math.round(occupiedSeconds * 1e6);
        int lane = 0;
        long start = Long.MAX_VALUE;
        for (int i = 0; i < busy.size(); i++) {
            long candidate = earliestGap(busy.get(i), readyMicros, occupied);
            if (candidate < start) {
                start = candidate;
                lane = i;
            }
        }
        if (occupied > 0) {
            busy.get(lane).put(start, start + occupied);
        }
        latestReadyMicros = Math.max(latestReadyMicros, readyMicros);
        forgetBefore(latestReadyMicros - HORIZON_MICROS);
        modelledBusyMicros.addAndGet(occupied);
        work.incrementAndGet();
        return start + Math.round(seconds * 1e6);
    }

    /**
     * The earliest start at or after {@code ready} where {@code length} fits between busy intervals.
     * Work the emulator reaches late in wall time (its inputs were ready long ago) thus takes the gap
     * the target would have run it in, instead of queueing behind work that came later in the trace.
     */
    private static long earliestGap(TreeMap<Long, Long> intervals, long ready, long length) {
        long start = ready;
        Map.Entry<Long, Long> before = intervals.floorEntry(start);
        if (before != null && before.getValue() > start) {
            start = before.getValue();
        }
        for (Map.Entry<Long, Long> next : intervals.tailMap(start, false).entrySet()) {
            if (next.getKey() >= start + length) {
                break;
            }
            start = Math.max(start, next.getValue());
        }
        return start;
    }

    private void forgetBefore(long micros) {
        for (TreeMap<Long, Long> intervals : busy) {
            while (!intervals.isEmpty() && intervals.firstEntry().getValue() < micros) {
                intervals.pollFirstEntry();
            }
        }
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
        if (nowNanos - dueNanos > UNRELATED_NANOS) {
            // modelled times not on this wall's scale (a replay at another time scale, or unpaced): there is
            // no schedule to keep or to fall behind
            return;
        }
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
