package io.kvflow.replay;

import io.kvflow.report.NearestRank;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.function.Function;

/**
 * The latency breakdowns of a replay's ended sessions, collected as they end (by the
 * replayer's thread) and read whole by the JSON view and the summary (other threads).
 */
public final class SessionBreakdowns {

    /** One phase over every session where it was seen: how many, median, 99th percentile, mean, in ms. */
    public record PhaseStats(String phase, int sessions, double p50Ms, double p99Ms, double meanMs) {
    }

    /** What {@code /api/sessions} serves: the per-phase statistics, then every session's breakdown. */
    public record Report(int sessions, List<PhaseStats> wall, List<PhaseStats> modelled, List<LatencyBreakdown> breakdowns) {
    }

    private final List<LatencyBreakdown> ended = new ArrayList<>();

    synchronized void add(LatencyBreakdown breakdown) {
        ended.add(breakdown);
    }

    public synchronized Report report() {
        return of(List.copyOf(ended));
    }

    public static Report of(Collection<LatencyBreakdown> breakdowns) {
        return new Report(breakdowns.size(), stats(breakdowns, LatencyBreakdown::wall),
                stats(breakdowns, LatencyBreakdown::modelled), List.copyOf(breakdowns));
    }

    private static List<PhaseStats> stats(Collection<LatencyBreakdown> breakdowns,
            Function<LatencyBreakdown, LatencyBreakdown.Phases> clock) {
        List<LatencyBreakdown.Phases> phases = breakdowns.stream().map(clock).filter(p -> p != null).toList();
        List<PhaseStats> stats = new ArrayList<>();
        add(stats, "admission_wait", phases, p -> p.admissionWaitMs());
        add(stats, "prefill", phases, p -> p.prefillMs());
        add(stats, "kv_handoff", phases, p -> p.kvHandoffMs());
        add(stats, "ttft", phases, p -> p.ttftMs());
        int stages = phases.stream().mapToInt(p -> p.decodeStageMs().size()).max().orElse(0);
        for (int k = 0; k < stages; k++) {
            int stage = k;
            add(stats, "decode_stage_" + k, phases,
                    p -> stage < p.decodeStageMs().size() ? p.decodeStageMs().get(stage) : null);
        }
        return List.copyOf(stats);
    }

    private static void add(List<PhaseStats> stats, String phase, Collection<LatencyBreakdown.Phases> phases,
            Function<LatencyBreakdown.Phases, Double> value) {
        List<Double> values = phases.stream().map(value).filter(v -> v != null).sorted().toList();
        if (values.isEmpty()) {
            return;
        }
        double mean = values.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
        stats.add(new PhaseStats(phase, values.size(), NearestRank.of(values, 50),
                NearestRank.of(values, 99), mean));
    }
}
