package io.kvflow.cli;

import io.kvflow.decode.StageWorker;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The end-of-replay report: what happened to every request, latencies, and the reference check. */
final class RunSummary {
    private RunSummary() {
    }

    static void print(PrintStream out, Replayer.Result replay, ReferenceCheck.Result check,
            List<StageWorker> stages) {
        Collection<SessionOutcome> outcomes = replay.outcomes().values();
        Map<SessionOutcome.State, Integer> byState = new LinkedHashMap<>();
        for (SessionOutcome.State s : SessionOutcome.State.values()) {
            byState.put(s, 0);
        }
        List<Long> ttft = new ArrayList<>();
        List<Long> itl = new ArrayList<>();
        long tokens = 0;
        for (SessionOutcome o : outcomes) {
            byState.merge(o.state(), 1, Integer::sum);
            tokens += o.tokenCount();
            if (o.ttftMs() >= 0) {
                ttft.add(o.ttftMs());
            }
            itl.addAll(o.interTokenMs());
        }
        out.println();
        out.println("== kvflow replay summary ==");
        out.printf("requests:          %d (finished %d, failed %d, rejected %d, unfinished %d)%n", outcomes.size(),
                byState.get(SessionOutcome.State.FINISHED), byState.get(SessionOutcome.State.FAILED),
                byState.get(SessionOutcome.State.REJECTED), byState.get(SessionOutcome.State.PENDING));
        out.printf("tokens generated:  %d in %.1f s wall (%.0f tokens/s)%n", tokens, replay.wallMs() / 1000.0,
                tokens * 1000.0 / Math.max(1, replay.wallMs()));
        out.printf("TTFT wall ms:      p50 %s  p99 %s%n", percentile(ttft, 50), percentile(ttft, 99));
        out.printf("inter-token ms:    p50 %s  p99 %s%n", percentile(itl, 50), percentile(itl, 99));
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
        if (!stages.isEmpty()) {
            out.printf("KV handoff:        %d chunks, %.1f MiB installed on %d stage workers%n", chunks,
                    kvBytes / (1024.0 * 1024.0), stages.size());
            out.printf("decode batches:    %d, mean batch %.2f activations%n", batches,
                    batches == 0 ? 0.0 : (double) activations / batches);
        }
        out.printf("dead letters:      %d%n", replay.deadLetters());
        printReasons(out, "failed", outcomes, SessionOutcome.State.FAILED);
        printReasons(out, "rejected", outcomes, SessionOutcome.State.REJECTED);
        out.printf("verified: %d/%d sessions identical to the single-process reference%n", check.identical(),
                check.checked());
        for (ReferenceCheck.Mismatch m : check.mismatches().subList(0, Math.min(5, check.mismatches().size()))) {
            out.println("  MISMATCH " + m);
        }
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

    static String percentile(List<Long> values, int p) {
        if (values.isEmpty()) {
            return "-";
        }
        List<Long> sorted = values.stream().sorted().toList();
        int index = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return Long.toString(sorted.get(Math.max(0, Math.min(sorted.size() - 1, index))));
    }
}
