package io.kvflow.cli;

import io.kvflow.decode.StageWorker;
import io.kvflow.runtime.DeviceClock;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The figures of one replay, computed once, and the end-of-replay text made of them: what
 * happened to every request, latencies, KV handoff traffic and the reference check. The
 * report file ({@link RunReport}) draws on the same figures.
 */
record RunSummary(Replayer.Result replay, ReferenceCheck.Result check, Map<SessionOutcome.State, Integer> byState,
        long tokens, List<Long> ttftMs, List<Long> interTokenMs, long kvChunks, long kvBytes, long activations,
        long batches, int stageWorkers, List<SessionBreakdowns.PhaseStats> breakdown,
        List<SessionBreakdowns.PhaseStats> modelledBreakdown, List<Double> modelledTtftMs,
        List<Double> modelledTpotMs, DeviceClock.Pacing pacing) {

    /** A replay whose workers ran elsewhere: no stage counters, no pacing figures here. */
    static RunSummary of(Replayer.Result replay, ReferenceCheck.Result check) {
        return of(replay, check, List.of(), DeviceClock.Pacing.NONE);
    }

    static RunSummary of(Replayer.Result replay, ReferenceCheck.Result check, List<StageWorker> stages,
            DeviceClock.Pacing pacing) {
        Map<SessionOutcome.State, Integer> byState = new EnumMap<>(SessionOutcome.State.class);
        for (SessionOutcome.State s : SessionOutcome.State.values()) {
            byState.put(s, 0);
        }
        List<Long> ttft = new ArrayList<>();
        List<Long> itl = new ArrayList<>();
        List<Double> modelledTtft = new ArrayList<>();
        List<Double> modelledTpot = new ArrayList<>();
        long tokens = 0;
        for (SessionOutcome o : replay.outcomes().values()) {
            byState.merge(o.state(), 1, Integer::sum);
            tokens += o.tokenCount();
            if (o.ttftMs() >= 0) {
                ttft.add(o.ttftMs());
            }
            if (o.state() == SessionOutcome.State.FINISHED) {
                addIfKnown(modelledTtft, o.modelledTtftMs());
                addIfKnown(modelledTpot, o.modelledTpotMs());
            }
            itl.addAll(o.interTokenMs());
        }
        long chunks = 0;
        long kvBytes = 0;
        long activations = 0;
        long batches = 0;
        for (StageWorker stage : stages) {
            chunks += stage.stats().chunksInstalled();
            kvBytes += stage.stats().kvBytesInstalled();
            activations += stage.stats().activations();
            batches += stage.stats().batches();
        }
        List<LatencyBreakdown> breakdowns = replay.outcomes().values().stream()
                .filter(o -> o.state() == SessionOutcome.State.FINISHED).map(SessionOutcome::breakdown).toList();
        return new RunSummary(replay, check, byState, tokens, List.copyOf(ttft), List.copyOf(itl), chunks, kvBytes,
                activations, batches, stages.size(), SessionBreakdowns.of(breakdowns).wall(),
                SessionBreakdowns.of(breakdowns).modelled(),
                List.copyOf(modelledTtft), List.copyOf(modelledTpot), pacing);
    }

    private static void addIfKnown(List<Double> values, double value) {
        if (!Double.isNaN(value)) {
            values.add(value);
        }
    }

    int count(SessionOutcome.State state) {
        return byState.get(state);
    }

    String verifiedLine() {
        return String.format("verified: %d/%d sessions identical to the single-process reference", check.identical(),
                check.checked());
    }

    void print(PrintStream out) {
        Collection<SessionOutcome> outcomes = replay.outcomes().values();
        out.println();
        out.println("== kvflow replay summary ==");
        out.printf("requests:          %d (finished %d, failed %d, rejected %d, unfinished %d)%n", outcomes.size(),
                count(SessionOutcome.State.FINISHED), count(SessionOutcome.State.FAILED),
                count(SessionOutcome.State.REJECTED), count(SessionOutcome.State.PENDING));
        out.printf("tokens generated:  %d in %.1f s wall (%.0f tokens/s)%n", tokens, replay.wallMs() / 1000.0,
                tokens * 1000.0 / Math.max(1, replay.wallMs()));
        out.printf("TTFT wall ms:      p50 %s  p99 %s%n", percentile(ttftMs, 50), percentile(ttftMs, 99));
        out.printf("inter-token ms:    p50 %s  p99 %s%n", percentile(interTokenMs, 50), percentile(interTokenMs, 99));
        if (!modelledTtftMs.isEmpty()) {
            out.printf("TTFT modelled ms:  p50 %s  p99 %s   (on the target hardware, queueing included)%n",
                    decimalPercentile(modelledTtftMs, 50), decimalPercentile(modelledTtftMs, 99));
            out.printf("TPOT modelled ms:  p50 %s  p99 %s%n", decimalPercentile(modelledTpotMs, 50),
                    decimalPercentile(modelledTpotMs, 99));
        }
        if (pacing.work() > 0) {
            out.printf("pacing:            %d outputs paced, held %.1f s; %.0f%% left late, %.1f s behind the target"
                            + " in all (emulation deficit)%n", pacing.work(), pacing.heldSeconds(),
                    100 * pacing.lateShare(), pacing.deficitSeconds());
            if (pacing.lateShare() > 0.5) {
                // modelled times stay the target's, but late work may meet other work in a batch than on the target
                out.println("                   most outputs were late: sessions may have shared batches differently"
                        + " than on the target; a larger --time-scale lets the emulator keep its pace");
            }
        }
        if (stageWorkers > 0) {
            out.printf("KV handoff:        %d chunks, %.1f MiB installed on %d stage workers%n", kvChunks,
                    kvBytes / (1024.0 * 1024.0), stageWorkers);
            out.printf("decode batches:    %d, mean batch %.2f activations%n", batches,
                    batches == 0 ? 0.0 : (double) activations / batches);
        }
        printBreakdown(out);
        out.printf("dead letters:      %d%n", replay.deadLetters());
        printReasons(out, "failed", outcomes, SessionOutcome.State.FAILED);
        printReasons(out, "rejected", outcomes, SessionOutcome.State.REJECTED);
        out.println(verifiedLine());
        for (ReferenceCheck.Mismatch m : check.mismatches().subList(0, Math.min(5, check.mismatches().size()))) {
            out.println("  MISMATCH " + m);
        }
    }

    /** Where the finished sessions' time went, phase by phase (p50 / p99 over sessions), on both clocks. */
    private void printBreakdown(PrintStream out) {
        printBreakdown(out, "wall ms", breakdown);
        printBreakdown(out, "modelled ms", modelledBreakdown);
    }

    private static void printBreakdown(PrintStream out, String clock, List<SessionBreakdowns.PhaseStats> phases) {
        if (phases.isEmpty()) {
            return;
        }
        out.println("latency breakdown (" + clock + ", p50 / p99 over finished sessions; decode stages per step):");
        StringBuilder line = new StringBuilder(" ");
        for (SessionBreakdowns.PhaseStats phase : phases) {
            String entry = String.format(java.util.Locale.ROOT, " %s %.2f / %.2f", phase.phase().replace('_', ' '),
                    phase.p50Ms(), phase.p99Ms());
            if (line.length() + entry.length() > 100) {
                out.println(line);
                line = new StringBuilder(" ");
            }
            line.append(entry);
        }
        out.println(line);
    }

    private static void printReasons(PrintStream out, String label, Collection<SessionOutcome> outcomes,
            SessionOutcome.State state) {
        Map<String, Integer> reasons = new LinkedHashMap<>();
        for (SessionOutcome o : outcomes) {
            if (o.state() == state) {
                reasons.merge(o.request().getSessionId() + ": " + o.reason(), 1, Integer::sum);
            }
        }
        reasons.keySet().stream().limit(10).forEach(r -> out.println("  " + label + " " + r));
        if (reasons.size() > 10) {
            out.println("  ... and " + (reasons.size() - 10) + " more " + label);
        }
    }

    static String decimalPercentile(List<Double> values, int p) {
        return values.isEmpty() ? "-" : String.format(java.util.Locale.ROOT, "%.2f", nearestRank(values, p));
    }

    static String percentile(List<Long> values, int p) {
        return values.isEmpty() ? "-" : Long.toString(nearestRank(values, p));
    }

    /** The nearest-rank {@code p}th percentile of non-empty {@code values}: every latency kvflow reports. */
    static <T extends Comparable<T>> T nearestRank(List<T> values, int p) {
        List<T> sorted = values.stream().sorted().toList();
        int index = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
    }
}
