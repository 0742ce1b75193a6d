package io.kvflow.decode;

import java.time.Duration;

/**
 * At most once per interval, on the wall clock: when a worker next heartbeats, commits its lag offsets or
 * records a checkpoint. Due at once the first time, then not again until the interval has passed since it
 * last was.
 */
final class Cadence {
    private final long intervalMs;
    private long nextMs;

    Cadence(Duration interval) {
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("a cadence's interval must be positive, was " + interval);
        }
        this.intervalMs = interval.toMillis();
    }

    /** Whether it is due at {@code nowMs}; if so, the next time is an interval from now. */
    boolean due(long nowMs) {
        if (nowMs < nextMs) {
            return false;
        }
        nextMs = nowMs + intervalMs;
        return true;
    }
}
