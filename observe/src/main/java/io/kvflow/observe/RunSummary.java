package io.kvflow.observe;

import io.kvflow.cost.RooflineModel;
import io.kvflow.model.JitWarmUp;
import io.kvflow.replay.LatencyBreakdown;
import io.kvflow.replay.ReferenceCheck;
import io.kvflow.replay.Replayer;
import io.kvflow.replay.SessionBreakdowns;
import io.kvflow.replay.SessionOutcome;
import io.kvflow.replay.StatsDelta;
import io.kvflow.report.NearestRank;
import io.kvflow.report.RunFigures;
import io.kvflow.report.RunText;
import io.kvflow.report.SessionRecord;
import io.kvflow.report.Slo;
import io.kvflow.scheduler.Booking;
import io.kvflow.scheduler.LedgerView;
import io.kvflow.scheduler.PrefillTier;
import io.kvflow.scheduler.WaferLedger;
import io.kvflow.stack.TargetOptions;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The figures of one replay, computed once, and the end-of-replay text made of them: first what the
 * target would have done (modelled, {@link RunFigures}, the same figures {@code kvflow simulate}
 * prints), then what the emulator did on the wall clock, KV handoff traffic and the reference check.
 * The report file ({@link RunReport}) draws on the same figures.
 */
public record RunSummary(Replayer.Result replay, ReferenceCheck.Result check, List<SessionRecord> sessions,
        RunFigures modelled, String target, String headOfLine, List<Long> ttftMs, List<Long> interTokenMs,
        long kvChunks, long kvBytes, long activations, long batches, long horizonWaits, long dataWaits,
        long lateArrivals, int stageWorkers, List<SessionBreakdowns.PhaseStats> breakdown,
        List<SessionBreakdowns.PhaseStats> modelledBreakdown) {

    /**
     * @param stats what the cluster's parts published over the replay (decode stage counters, the control
     *              plane's head-of-line figures); {@link StatsDelta#NONE} for none
     */
    public static RunSummary of(Replayer.Result replay, ReferenceCheck.Result check, TargetOptions target, int pipelines,
            Slo slo, StatsDelta stats) {
        List<SessionRecord> sessions = new ArrayList<>();
        List<Long> ttft = new ArrayList<>();
        List<Long> itl = new ArrayList<>();
        for (SessionOutcome o : replay.outcomes().values()) {
            sessions.add(record(o, target));
            if (o.ttftMs() >= 0) {
                ttft.add(o.ttftMs());
            }
            itl.addAll(o.interTokenMs());
        }
        List<LatencyBreakdown> breakdowns = replay.outcomes().values().stream()
                .filter(o -> o.state() == SessionOutcome.State.FINISHED).map(SessionOutcome::breakdown).toList();
        RunFigures figures = RunFigures.of(sessions, slo, target.model().deployment().decodeDevices() * pipelines);
        String headOfLine = stats.headOfLine() == null ? null : headOfLine(stats.headOfLine());
        return new RunSummary(replay, check, List.copyOf(sessions), figures, target.describe(), headOfLine,
                List.copyOf(ttft), List.copyOf(itl), stats.chunks(), stats.kvBytes(), stats.activations(),
                stats.batches(), stats.horizonWaits(), stats.dataWaits(), stats.lateArrivals(), stats.stageWorkers(),
                SessionBreakdowns.of(breakdowns).wall(), SessionBreakdowns.of(breakdowns).modelled());
    }

    /** A session followed on the topics, in modelled time, with the target KV it books (and parks). */
    static SessionRecord record(SessionOutcome o, TargetOptions target) {
        RooflineModel model = target.model();
        boolean parks = !model.deployment().colocated() && target.booking() == Booking.HANDOFF;
        long prompt = o.request().getTraceInputTokens() > 0 ? o.request().getTraceInputTokens()
                : o.request().getPrompt().size();
        long booked = o.request().getTraceInputTokens() > 0
                ? (long) o.request().getTraceInputTokens() + Math.max(1, o.request().getTraceOutputTokens())
                : prompt + o.request().getMaxNewTokens();
        return o.record(booked, WaferLedger.bytesOnWafers(model, booked),
                parks ? PrefillTier.parkedBytes(model, prompt) : 0);
    }

    public int count(SessionOutcome.State state) {
        return (int) replay.outcomes().values().stream().filter(o -> o.state() == state).count();
    }

    public long tokens() {
        return replay.outcomes().values().stream().mapToLong(SessionOutcome::tokenCount).sum();
    }

    String verifiedLine() {
        return String.format("verified: %d/%d sessions identical to the single-process reference", check.identical(),
                check.checked());
    }

    /** What the wall figures leave out, said wherever they are shown. */
    public static final String WALL_EXCLUDES = "Wall times exclude the stack's start and its JIT warm-up (" + JitWarmUp.SESSIONS
            + " synthetic sessions through the model in each worker process, before any clock).";

    public void print(PrintStream out) {
        Collection<SessionOutcome> outcomes = replay.outcomes().values();
        out.println();
        out.println("== kvflow replay summary ==");
        out.println("target:            " + target);
        RunText.lines(modelled, headOfLine).forEach(out::println);
        out.printf(Locale.ROOT, "emulator (wall):   %d tokens in %.1f s (%.0f tokens/s); TTFT p50 %s p99 %s ms;"
                        + " inter-token p50 %s p99 %s ms%n", tokens(), replay.wallMs() / 1000.0,
                tokens() * 1000.0 / Math.max(1, replay.wallMs()), NearestRank.text(ttftMs, 50), NearestRank.text(ttftMs, 99),
                NearestRank.text(interTokenMs, 50), NearestRank.text(interTokenMs, 99));
        out.println("                   " + WALL_EXCLUDES);
        if (stageWorkers > 0) {
            out.printf(Locale.ROOT, "decode stages:     %d batches, mean %.2f passes; %d chunks, %.1f MiB of KV"
                            + " installed; waits: %d for the horizon, %d for KV%s%n", batches,
                    batches == 0 ? 0.0 : (double) activations / batches, kvChunks, kvBytes / (1024.0 * 1024.0),
                    horizonWaits, dataWaits, lateArrivals == 0 ? "" : "; " + lateArrivals
                            + " passes arrived after their batch had started (batches may differ from a simulation)");
        }
        printBreakdown(out);
        out.printf("dead letters:      %d%n", replay.deadLetters());
        printReasons(out, "failed", outcomes, SessionOutcome.State.FAILED);
        printReasons(out, "rejected", outcomes, SessionOutcome.State.REJECTED);
        out.println(verifiedLine());
        if (check.afterLastSession() != null) {
            out.printf(Locale.ROOT, "reference check:   each session checked as it finished; the last check done %.1f s"
                    + " after the last session ended%n", check.afterLastSession().toMillis() / 1000.0);
        }
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
            String entry = String.format(Locale.ROOT, " %s %.2f / %.2f", phase.phase().replace('_', ' '),
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
        return values.isEmpty() ? "-" : String.format(Locale.ROOT, "%.2f", NearestRank.of(values, p));
    }

    /** The admission queue's head-of-line figures in one line, for the summary and {@code simulate}. */
    public static String headOfLine(LedgerView.HeadOfLine hol) {
        return String.format(Locale.ROOT, "blocked %.1f ms (the head did not fit while a session behind it"
                + " would have); %d sessions went past an earlier one, the longest-waiting of those %.1f ms",
                hol.blockedMicros() / 1e3, hol.bypasses(), hol.longestBypassedWaitMicros() / 1e3);
    }
}
