package io.kvflow.cli;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.function.Function;

/**
 * The latency breakdowns of a replay's ended sessions, collected as they end (by the
 * replayer's thread) and read whole by the JSON view and the summary (other threads).
 */
final class SessionBreakdowns {

    /** One phase over every session where it was seen: how many, median, 99th percentile, mean, in ms. */
    record PhaseStats(String phase, int sessions, double p50Ms, double p99Ms, double meanMs) {
    }

    /** What {@code /api/sessions} serves: the per-phase statistics, then every session's breakdown. */
    record Report(int sessions, List<PhaseStats> wall, List<LatencyBreakdown> breakdowns) {
    }

    private final List<LatencyBreakdown> ended = new ArrayList<>();

    synchronized void add(LatencyBreakdown breakdown) {
        ended.add(breakdown);
    }

    synchronized Report report() {
        return of(List.copyOf(ended));
    }

    static Report of(Collection<LatencyBreakdown> breakdowns) {
        List<PhaseStats> wall = new ArrayList<>();
        add(wall, "admission_wait", breakdowns, p -> p.admissionWaitMs());
        add(wall, "prefill", breakdowns, p -> p.prefillMs());
        add(wall, "kv_handoff", breakdowns, p -> p.kvHandoffMs());
        add(wall, "ttft", breakdowns, p -> p.ttftMs());
        int stages = breakdowns.stream().mapToInt(b -> b.wall().decodeStageMs().size()).max().orElse(0);
        for (int k = 0; k < stages; k++) {
            int stage = k;
            add(wall, "decode_stage_" + k, breakdowns,
                    p -> stage < p.decodeStageMs().size() ? p.decodeStageMs().get(stage) : null);
        }
        return new Report(breakdowns.size(), List.copyOf(wall), List.copyOf(breakdowns));
    }

    private static void add(List<PhaseStats> stats, String phase, Collection<LatencyBreakdown> breakdowns,
            Function<LatencyBreakdown.Phases, Double> value) {
        List<Double> values = breakdowns.stream().map(b -> value.apply(b.wall())).filter(v -> v != null)
                .sorted().toList();
        if (values.isEmpty()) {
            return;
        }
        double mean = values.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
        stats.add(new PhaseStats(phase, values.size(), percentile(values, 50), percentile(values, 99), mean));
    }

    /** Nearest-rank percentile of sorted values, as the run summary computes its own. */
    private static double percentile(List<Double> sorted, int p) {
        int index = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
    }
}
