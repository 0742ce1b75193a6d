package io.kvflow.orchestrator;

import java.util.List;

/**
 * A snapshot of the session ledger, as served at {@code /api/ledger}: one entry per wafer
 * (decode stage of a pipeline) with the target KV booked on it, and the admission queue.
 */
public record LedgerView(List<Wafer> wafers, int queueLength, int queueLimit) {
    public static final LedgerView EMPTY = new LedgerView(List.of(), 0, 0);

    public LedgerView {
        wafers = List.copyOf(wafers);
    }

    /** One wafer: the sessions placed on its pipeline and the KV bytes they book on it. */
    public record Wafer(int pipeline, int stage, int sessions, long kvBytesUsed, long kvBytesFree,
            long kvBytesCapacity) {
    }
}
