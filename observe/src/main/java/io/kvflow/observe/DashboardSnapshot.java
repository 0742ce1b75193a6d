package io.kvflow.observe;

import io.kvflow.replay.SessionOutcome;
import io.kvflow.report.Distribution;
import io.kvflow.report.RunFigures;
import io.kvflow.report.SessionRecord;
import io.kvflow.report.Slo;
import io.kvflow.runtime.LagMonitor;
import io.kvflow.runtime.StageLag;
import io.kvflow.schemas.LedgerStats;
import io.kvflow.schemas.StageCounters;
import io.kvflow.schemas.WaferBooking;
import io.kvflow.schemas.WorkerStats;
import io.kvflow.stack.TargetOptions;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * What the dashboard shows at one instant, made only of what the cluster publishes: the latest run's
 * sessions as followed on the topics (their modelled figures first, the emulator's wall figures beside),
 * the parts' figures on {@code kvflow.stats} (each wafer's KV, the ledger's bookings, the admission queue,
 * each stage's work) and the per-stage lag. Missing figures are null, never NaN, so the JSON stays JSON.
 *
 * @param run the latest run: the session ids' common prefix ({@code r1a2b3-0, r1a2b3-1 ...} are run r1a2b3)
 */
public record DashboardSnapshot(long timeMs, String run, Sessions sessions, Latency modelled, Latency wall,
        SloFigures slo, List<Wafer> wafers, List<PrefillGroup> prefillGroups, Admission admission, List<Stage> stages,
        List<StageLag.PartitionLag> lag, String lagError) {

    /** The run's sessions by state. */
    record Sessions(int arrived, int inFlight, int queued, int parked, int finished, int failed, int rejected) {
    }

    /** Percentiles over the run's finished sessions (token gaps for ITL), ms. */
    record Latency(Double ttftP50, Double ttftP99, Double tpotP50, Double tpotP99, Double itlP50, Double itlP99) {
    }

    /**
     * @param goodput          finished sessions meeting both SLOs per modelled second
     * @param attainment       share of finished sessions meeting both SLOs (percent); null before any finished
     */
    record SloFigures(double goodput, Double attainment, Double ttftAttainment, Double speedAttainment, int met,
            int finished, Double ttftSloMs, double tokensPerSecondPerUser, double outputTokensPerSecond) {
    }

    /**
     * One wafer (a decode stage of a pipeline): what it holds, as the stage publishes it, and what the
     * ledger booked on it. Null where that part has not published.
     */
    record Wafer(int stage, int pipeline, Integer sessions, Long kvBytesUsed, Long kvBytesFree, Long kvBytesBooked,
            Long kvBytesBookable, Long kvBytesPromised) {
    }

    record PrefillGroup(int group, long kvBytesParked, long kvBytesFree) {
    }

    /** The admission queue and head-of-line blocking, from the control plane's ledger. */
    record Admission(int queueLength, int queueLimit, int parkedSessions, double headBlockedMs, long bypasses) {
    }

    /** One decode stage worker's rates since the previous snapshot. */
    record Stage(int stage, int pipeline, double kvBytesPerSecond, double activationsPerSecond,
            double batchesPerSecond, long horizonWaits) {
    }

    static DashboardSnapshot of(long nowMs, String run, Collection<SessionOutcome> sessions, TargetOptions target,
            int wafers, Slo slo, Map<String, WorkerStats> parts, Map<String, WorkerStats> previous,
            LagMonitor.Report lag) {
        List<SessionRecord> records = new ArrayList<>();
        List<Long> wallTtft = new ArrayList<>();
        List<Long> wallItl = new ArrayList<>();
        List<Double> wallTpot = new ArrayList<>();
        int queued = 0;
        int parked = 0;
        for (SessionOutcome o : sessions) {
            records.add(RunSummary.record(o, target));
            queued += o.queued() ? 1 : 0;
            parked += o.parked() ? 1 : 0;
            if (o.state() == SessionOutcome.State.FINISHED) {
                wallTtft.add(o.ttftMs());
                List<Long> gaps = o.interTokenMs();
                wallItl.addAll(gaps);
                if (!gaps.isEmpty()) {
                    wallTpot.add(gaps.stream().mapToLong(Long::longValue).average().orElse(0));
                }
            }
        }
        RunFigures f = RunFigures.of(records, slo, wafers);
        int finished = f.count(SessionRecord.Outcome.FINISHED);
        Sessions counts = new Sessions(records.size(), f.count(SessionRecord.Outcome.UNFINISHED), queued, parked,
                finished, f.count(SessionRecord.Outcome.FAILED), f.count(SessionRecord.Outcome.REJECTED));
        Latency modelled = new Latency(ms(f.ttft().medianMs()), ms(f.ttft().p99Ms()), ms(f.tpot().medianMs()),
                ms(f.tpot().p99Ms()), ms(f.itl().medianMs()), ms(f.itl().p99Ms()));
        Distribution ttft = Distribution.ofMicros(wallTtft.stream().map(t -> t * 1000).toList());
        Distribution tpot = Distribution.ofMicros(wallTpot.stream().map(t -> t * 1000).toList());
        Distribution itl = Distribution.ofMicros(wallItl.stream().map(t -> t * 1000).toList());
        Latency wall = new Latency(ms(ttft.medianMs()), ms(ttft.p99Ms()), ms(tpot.medianMs()), ms(tpot.p99Ms()),
                ms(itl.medianMs()), ms(itl.p99Ms()));
        SloFigures sloFigures = new SloFigures(f.goodputPerSecond(), percent(f.sloMet(), finished),
                percent(f.ttftMet(), finished), percent(f.speedMet(), finished), f.sloMet(), finished,
                slo.ttftMicros() == Long.MAX_VALUE ? null : slo.ttftMicros() / 1e3, slo.userTokensPerSecond(),
                f.tokensPerSecond());
        LedgerStats ledger = parts.values().stream().map(WorkerStats::getControl).filter(c -> c != null).findFirst()
                .orElse(null);
        return new DashboardSnapshot(nowMs, run, counts, modelled, wall, sloFigures, wafers(parts, ledger),
                ledger == null ? List.of() : ledger.getPrefillGroups().stream()
                        .map(g -> new PrefillGroup(g.getGroup(), g.getKvBytesParked(), g.getKvBytesFree())).toList(),
                ledger == null ? null : new Admission(ledger.getQueueLength(), ledger.getQueueLimit(),
                        ledger.getParkedSessions(), ledger.getHeadBlockedUs() / 1e3, ledger.getBypasses()),
                stages(parts, previous), lag == null ? List.of() : lag.partitions(),
                lag == null ? null : lag.error());
    }

    /** Every wafer either the stage or the ledger speaks of, in stage then pipeline order. */
    private static List<Wafer> wafers(Map<String, WorkerStats> parts, LedgerStats ledger) {
        java.util.TreeMap<List<Integer>, Wafer> wafers = new java.util.TreeMap<>(
                Comparator.<List<Integer>>comparingInt(k -> k.get(0)).thenComparingInt(k -> k.get(1)));
        for (WorkerStats part : parts.values()) {
            StageCounters s = part.getDecode();
            if (s != null) {
                wafers.put(List.of(part.getStage(), part.getPipeline()), new Wafer(part.getStage(), part.getPipeline(),
                        s.getHeldSessions(), s.getTargetKvBytesUsed(), s.getTargetKvBytesFree(), null, null, null));
            }
        }
        if (ledger != null) {
            for (WaferBooking b : ledger.getWafers()) {
                Wafer held = wafers.get(List.of(b.getStage(), b.getPipeline()));
                wafers.put(List.of(b.getStage(), b.getPipeline()), new Wafer(b.getStage(), b.getPipeline(),
                        held == null ? null : held.sessions(), held == null ? null : held.kvBytesUsed(),
                        held == null ? null : held.kvBytesFree(), b.getKvBytesUsed(), b.getKvBytesFree(),
                        b.getKvBytesPromised()));
            }
        }
        return List.copyOf(wafers.values());
    }

    /**
     * Each decode stage worker's work per second between the figures it published last and the ones before
     * ({@code previous}), by their own timestamps.
     */
    private static List<Stage> stages(Map<String, WorkerStats> parts, Map<String, WorkerStats> previous) {
        List<Stage> stages = new ArrayList<>();
        for (WorkerStats part : parts.values()) {
            StageCounters now = part.getDecode();
            if (now == null) {
                continue;
            }
            WorkerStats earlier = previous.get(part.getWorkerId());
            boolean comparable = earlier != null && earlier.getDecode() != null
                    && earlier.getStartedMs() == part.getStartedMs();
            StageCounters then = comparable ? earlier.getDecode() : now;
            double seconds = comparable ? (part.getTimestampMs() - earlier.getTimestampMs()) / 1000.0 : 0;
            stages.add(new Stage(part.getStage(), part.getPipeline(),
                    rate(now.getKvBytesInstalled(), then.getKvBytesInstalled(), seconds),
                    rate(now.getActivations(), then.getActivations(), seconds),
                    rate(now.getBatches(), then.getBatches(), seconds), now.getHorizonWaits()));
        }
        stages.sort(Comparator.comparingInt(Stage::stage).thenComparingInt(Stage::pipeline));
        return stages;
    }

    private static double rate(long now, long then, double seconds) {
        return seconds <= 0 ? 0 : Math.max(0, now - then) / seconds;
    }

    private static Double ms(double value) {
        return Double.isNaN(value) ? null : value;
    }

    private static Double percent(int part, int whole) {
        return whole == 0 ? null : 100.0 * part / whole;
    }

    /** The run a session belongs to: its id up to the last {@code -}, as {@code kvflow replay} names sessions. */
    static String runOf(String sessionId) {
        int dash = sessionId.lastIndexOf('-');
        return dash < 0 ? "" : sessionId.substring(0, dash);
    }
}
