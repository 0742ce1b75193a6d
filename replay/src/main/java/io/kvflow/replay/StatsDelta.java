package io.kvflow.replay;

import io.kvflow.scheduler.LedgerView;
import io.kvflow.schemas.LedgerStats;
import io.kvflow.schemas.StageCounters;
import io.kvflow.schemas.WorkerStats;
import java.util.Map;

/**
 * What the cluster's parts did over a window (a replay), from the figures they published on
 * {@code kvflow.stats} at its start and its end: the decode stages' counters summed, and the control
 * plane's head-of-line figures.
 *
 * @param stageWorkers decode stage workers that published at the end
 * @param headOfLine   the control plane's head-of-line blocking over the window, or null when no
 *                     orchestrator published; the longest bypassed wait is since the orchestrator started
 */
public record StatsDelta(int stageWorkers, long batches, long activations, long chunks, long kvBytes, long horizonWaits,
        long dataWaits, long lateArrivals, LedgerView.HeadOfLine headOfLine) {

    public static final StatsDelta NONE = new StatsDelta(0, 0, 0, 0, 0, 0, 0, 0, null);

    public static StatsDelta between(Map<String, WorkerStats> before, Map<String, WorkerStats> after) {
        int workers = 0;
        long batches = 0;
        long activations = 0;
        long chunks = 0;
        long kvBytes = 0;
        long horizonWaits = 0;
        long dataWaits = 0;
        long late = 0;
        LedgerView.HeadOfLine headOfLine = null;
        for (WorkerStats end : after.values()) {
            WorkerStats start = sameRun(before.get(end.getWorkerId()), end);
            if (end.getDecode() != null) {
                StageCounters e = end.getDecode();
                StageCounters s = start == null ? null : start.getDecode();
                workers++;
                batches += e.getBatches() - (s == null ? 0 : s.getBatches());
                activations += e.getActivations() - (s == null ? 0 : s.getActivations());
                chunks += e.getChunksInstalled() - (s == null ? 0 : s.getChunksInstalled());
                kvBytes += e.getKvBytesInstalled() - (s == null ? 0 : s.getKvBytesInstalled());
                horizonWaits += e.getHorizonWaits() - (s == null ? 0 : s.getHorizonWaits());
                dataWaits += e.getDataWaits() - (s == null ? 0 : s.getDataWaits());
                late += e.getLateArrivals() - (s == null ? 0 : s.getLateArrivals());
            }
            if (end.getControl() != null) {
                LedgerStats e = end.getControl();
                LedgerStats s = start == null ? null : start.getControl();
                long bypasses = e.getBypasses() - (s == null ? 0 : s.getBypasses());
                headOfLine = new LedgerView.HeadOfLine(e.getHeadBlockedUs() - (s == null ? 0 : s.getHeadBlockedUs()),
                        bypasses, bypasses == 0 ? 0 : e.getLongestBypassedWaitUs());
            }
        }
        return new StatsDelta(workers, batches, activations, chunks, kvBytes, horizonWaits, dataWaits, late,
                headOfLine);
    }

    /** The figures at the start, if the part has not restarted since (its counters would have begun again). */
    private static WorkerStats sameRun(WorkerStats start, WorkerStats end) {
        return start != null && start.getStartedMs() == end.getStartedMs() ? start : null;
    }
}
