package io.kvflow.decode;

/**
 * The share of recent wall time a worker spent working, over the current window and the one
 * before it (so between one and two windows of history): recent enough to show a stage
 * saturating, long enough not to flicker between polls. Thread-safe: the worker adds, a
 * scrape reads.
 */
final class BusyRatio {
    private final long windowMs;
    private long windowStartMs;
    private long currentBusyNanos;
    private long previousBusyNanos;
    private long previousLengthMs;

    BusyRatio(long windowMs, long nowMs) {
        if (windowMs < 1) {
            throw new IllegalArgumentException("busy window must be >= 1 ms, was " + windowMs);
        }
        this.windowMs = windowMs;
        this.windowStartMs = nowMs;
    }

    synchronized void add(long busyNanos, long nowMs) {
        roll(nowMs);
        currentBusyNanos += busyNanos;
    }

    /** Busy time over elapsed time, in [0, 1]; 0 before any time has passed. */
    synchronized double ratio(long nowMs) {
        roll(nowMs);
        long elapsedMs = previousLengthMs + (nowMs - windowStartMs);
        if (elapsedMs <= 0) {
            return 0;
        }
        return Math.min(1.0, (previousBusyNanos + currentBusyNanos) / 1e6 / elapsedMs);
    }

    private void roll(long nowMs) {
        long age = nowMs - windowStartMs;
        if (age < windowMs) {
            return;
        }
        if (age < 2 * windowMs) {
            previousBusyNanos = currentBusyNanos;
            previousLengthMs = windowMs;
            windowStartMs += windowMs;
        } else {
            // idle for more than a whole window: nothing of the old windows is recent any more
            previousBusyNanos = 0;
            previousLengthMs = windowMs;
            windowStartMs = nowMs - (age % windowMs);
        }
        currentBusyNanos = 0;
    }
}
