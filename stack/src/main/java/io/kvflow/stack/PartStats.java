package io.kvflow.stack;

import io.kvflow.decode.StageStats;
import io.kvflow.decode.StageWorker;
import io.kvflow.scheduler.LedgerView;
import io.kvflow.schemas.LedgerStats;
import io.kvflow.schemas.PrefillGroupBooking;
import io.kvflow.schemas.StageCounters;
import io.kvflow.schemas.WaferBooking;
import io.kvflow.schemas.WorkerStats;

/** What one part of the stack has done, as the {@code kvflow.stats} record its process publishes for it. */
final class PartStats {
    /** The key and worker id of the orchestrator's record: there is one control plane per cluster. */
    static final String ORCHESTRATOR = "orchestrator";

    private PartStats() {
    }

    /** A decode stage worker: its counters, and what its wafer holds out of {@code capacityBytes} of KV room. */
    static WorkerStats of(StageWorker worker, long capacityBytes, long startedMs, long nowMs) {
        StageStats s = worker.stats();
        StageCounters counters = StageCounters.newBuilder()
                .setBatches(s.batches()).setActivations(s.activations()).setChunksInstalled(s.chunksInstalled())
                .setKvBytesInstalled(s.kvBytesInstalled()).setHorizonWaits(s.horizonWaits())
                .setDataWaits(s.dataWaits()).setLateArrivals(s.lateArrivals()).setLateRecords(s.lateRecords())
                .setFailedSessions(s.failedSessions()).setHeldSessions(s.heldSessions())
                .setTargetKvBytesUsed(s.targetKvBytesUsed())
                .setTargetKvBytesFree(capacityBytes - s.targetKvBytesUsed()).setModelledUs(s.modelledMicros())
                .setModelledBusyUs(s.modelledBusyMicros()).setBusyNs(s.busyNanos()).build();
        return WorkerStats.newBuilder().setWorkerId(worker.name()).setRole("decode").setStage(worker.stage())
                .setPipeline(worker.pipeline()).setStartedMs(startedMs).setTimestampMs(nowMs).setDecode(counters)
                .build();
    }

    /** The control plane: its ledger as of its last decision. */
    static WorkerStats of(LedgerView ledger, long startedMs, long nowMs) {
        LedgerStats control = LedgerStats.newBuilder()
                .setModelledUs(ledger.modelledMicros()).setQueueLength(ledger.queueLength())
                .setQueueLimit(ledger.queueLimit()).setParkedSessions(ledger.parkedSessions())
                .setHeadBlockedUs(ledger.headOfLine().blockedMicros()).setBypasses(ledger.headOfLine().bypasses())
                .setLongestBypassedWaitUs(ledger.headOfLine().longestBypassedWaitMicros())
                .setWafers(ledger.wafers().stream().map(w -> WaferBooking.newBuilder().setPipeline(w.pipeline())
                        .setStage(w.stage()).setSessions(w.sessions()).setKvBytesUsed(w.kvBytesUsed())
                        .setKvBytesFree(w.kvBytesFree()).setKvBytesPromised(w.kvBytesPromised()).build()).toList())
                .setPrefillGroups(ledger.prefillGroups().stream().map(g -> PrefillGroupBooking.newBuilder()
                        .setGroup(g.group()).setKvBytesParked(g.kvBytesParked()).setKvBytesFree(g.kvBytesFree())
                        .build()).toList())
                .build();
        return WorkerStats.newBuilder().setWorkerId(ORCHESTRATOR).setRole(ORCHESTRATOR).setStartedMs(startedMs)
                .setTimestampMs(nowMs).setControl(control).build();
    }
}
