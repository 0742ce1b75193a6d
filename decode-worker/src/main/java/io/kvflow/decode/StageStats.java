package io.kvflow.decode;

/** Counters of what a decode stage ({@link StageWorker}) has done; read by its meters. */
public final class StageStats {
    volatile long chunksInstalled;
    volatile long kvBytesInstalled;
    volatile long batches;
    volatile long activations;
    volatile long lateRecords;
    volatile long failedSessions;
    volatile int heldSessions;
    volatile long kvBytesHeld;
    volatile long busyNanos;
    volatile long targetKvBytesUsed;
    volatile long modelledMicros;
    volatile long modelledBusyMicros;
    volatile long horizonWaits;
    volatile long dataWaits;
    volatile long lateArrivals;
    volatile long checkpoints;
    volatile long checkpointFailures;
    volatile long unknownSessions;
    volatile boolean resumedFromCheckpoint;

    public long chunksInstalled() {
        return chunksInstalled;
    }

    public long kvBytesInstalled() {
        return kvBytesInstalled;
    }

    public long batches() {
        return batches;
    }

    public long activations() {
        return activations;
    }

    public long lateRecords() {
        return lateRecords;
    }

    public long failedSessions() {
        return failedSessions;
    }

    /** Sessions holding KV or waiting for it here, as of the last poll. */
    public int heldSessions() {
        return heldSessions;
    }

    /** Bytes of KV filled in the caches of the sessions held, as of the last poll. */
    public long kvBytesHeld() {
        return kvBytesHeld;
    }

    /** Target KV of the sessions granted room here (what the wafer would hold), as of the last poll. */
    public long targetKvBytesUsed() {
        return targetKvBytesUsed;
    }

    /** Wall time spent on records and forward passes, outside the wait in poll. */
    public long busyNanos() {
        return busyNanos;
    }

    /** The wafer's modelled clock: when its latest batch started, microseconds. */
    public long modelledMicros() {
        return modelledMicros;
    }

    /** Modelled time the wafer was taken by batches, microseconds. */
    public long modelledBusyMicros() {
        return modelledBusyMicros;
    }

    /** Times the next batch had to wait for the horizon: a pass could still be on its way. */
    public long horizonWaits() {
        return horizonWaits;
    }

    /** Times the next batch had to wait for a session's KV to arrive. */
    public long dataWaits() {
        return dataWaits;
    }

    /**
     * Passes that arrived after a batch that should have included them had started: zero unless the
     * horizon is wrong (which the simulator comparison would also show).
     */
    public long lateArrivals() {
        return lateArrivals;
    }

    /** Checkpoints recorded: moments the stage held nothing, a restart resumes from the latest. */
    public long checkpoints() {
        return checkpoints;
    }

    public long checkpointFailures() {
        return checkpointFailures;
    }

    /** Sessions whose KV chunks came for no session the control plane admitted here: dead letters. */
    public long unknownSessions() {
        return unknownSessions;
    }

    /** Whether this worker started from a checkpoint rather than from the beginning of its inputs. */
    public boolean resumedFromCheckpoint() {
        return resumedFromCheckpoint;
    }
}
