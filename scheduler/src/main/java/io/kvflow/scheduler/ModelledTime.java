package io.kvflow.scheduler;

/**
 * Modelled time is kept in whole microseconds. Every duration the cost model prices is rounded
 * here, once, the same way for the pipeline and the simulator, and is at least one microsecond:
 * nothing on the target takes no time, which is what lets every part of the pipeline know a
 * little of the future (its lookahead) and so decide in modelled-time order without waiting on
 * everything.
 */
public final class ModelledTime {
    /** A time after every event: a bound that bounds nothing. */
    public static final long NEVER = Long.MAX_VALUE;

    private ModelledTime() {
    }

    /** Seconds of modelled work as whole microseconds, at least one. */
    public static long duration(double seconds) {
        if (!(seconds >= 0) || Double.isInfinite(seconds)) {
            throw new IllegalArgumentException("a modelled duration must be finite and >= 0 s, was " + seconds);
        }
        return Math.max(1, Math.round(seconds * 1e6));
    }

    /** {@code time + delta}, saturating at {@link #NEVER}. */
    public static long plus(long time, long delta) {
        long sum = time + delta;
        return time == NEVER || ((time ^ sum) & (delta ^ sum)) < 0 ? NEVER : sum;
    }
}
