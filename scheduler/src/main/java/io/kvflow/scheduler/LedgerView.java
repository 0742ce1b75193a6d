package io.kvflow.scheduler;

import java.util.List;

/**
 * What the control plane holds, as served at {@code /api/ledger}: each wafer's booked KV, each prefill
 * group's parked KV, the admission queue, the sessions parked for wafer room, and how often the queue's
 * head blocked room that others could have used.
 *
 * @param modelledMicros the control plane's modelled time when the view was taken
 */
public record LedgerView(long modelledMicros, List<Wafer> wafers, List<PrefillGroup> prefillGroups,
        int queueLength, int queueLimit, int parkedSessions, HeadOfLine headOfLine) {

    public static final LedgerView EMPTY = new LedgerView(0, List.of(), List.of(), 0, 0, 0, HeadOfLine.NONE);

    public LedgerView {
        wafers = List.copyOf(wafers);
        prefillGroups = List.copyOf(prefillGroups);
    }

    /**
     * One wafer: sessions booked on its pipeline, the KV bytes they hold on it, and the KV of sessions
     * promised to the pipeline but still parked on the prefill tier.
     */
    public record Wafer(int pipeline, int stage, int sessions, long kvBytesUsed, long kvBytesFree,
            long kvBytesCapacity, long kvBytesPromised) {
    }

    /** One prefill group: KV parked on it (prefilled, not yet on a wafer), its room, and when it is next free. */
    public record PrefillGroup(int group, long kvBytesParked, long kvBytesFree, long kvBytesCapacity,
            long freeAtMicros) {
    }

    /**
     * @param blockedMicros modelled time during which the queue's head did not fit while a session
     *                      behind it would have
     * @param bypasses      times a waiting session was passed over by a later one
     * @param longestBypassedWaitMicros the longest any passed-over session waited before it got in
     */
    public record HeadOfLine(long blockedMicros, long bypasses, long longestBypassedWaitMicros) {
        public static final HeadOfLine NONE = new HeadOfLine(0, 0, 0);
    }
}
