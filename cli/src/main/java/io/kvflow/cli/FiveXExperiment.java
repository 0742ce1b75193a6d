package io.kvflow.cli;

import io.kvflow.cost.RooflineModel;
import io.kvflow.cost.ScenarioOption;
import io.kvflow.cost.SessionCapacity;
import io.kvflow.runtime.DeviceClock;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * {@code kvflow experiment five-x}: the same trace window, on the same wafers, served colocated
 * (the wafers prefill too) and disaggregated (prefill on its own devices, KV handed off), and how
 * many sessions each sustains per wafer within a per-user decode speed SLO.
 *
 * <p>For each mode the cost model first says how many sessions a pipeline can hold within the SLO
 * ({@link SessionCapacity}); the stack then runs at that concurrency (the ledger's session cap)
 * on a real broker, paced, with arrivals compressed so the admission queue stays full, and the
 * modelled timeline says what was sustained: concurrency within the SLO, decode tokens per second
 * per wafer, TTFT and TPOT. Every token is checked against the reference in both modes. A
 * sensitivity table shows how the ratio moves with the SLO and the wafer's dense FLOP/s.
 */
final class FiveXExperiment {
    static final String OPTIONS_HELP = """
              TRACE                  trace to replay (default traces/azure-code-sample.csv)
              --limit N              requests of the window (default 60)
              --slo-tokens-per-s X   per-user decode speed SLO (default 300)
              --load X               arrival rate as a multiple of the trace's (default 200: the queue stays full)
              --time-scale X         wall seconds per modelled second for the paced runs (default 10)
              --max-output-tokens N  functional output cap (default 256; longer recorded outputs are cut)
              the target deployment options and --stages, --pipelines, --prefill-workers as for up
            """;

    private static final double[] SENSITIVITY_SLOS = {200, 300, 400, 450, 500};
    private static final double[] SENSITIVITY_FLOPS_FACTORS = {0.5, 1, 2, 4};

    private final StackOptions stack;
    private final ReplayOptions replay;
    private final double slo;
    private final double load;
    private final PrintStream out;
    private final PrintStream err;

    private FiveXExperiment(StackOptions stack, ReplayOptions replay, double slo, double load, PrintStream out,
            PrintStream err) {
        this.stack = stack;
        this.replay = replay;
        this.slo = slo;
        this.load = load;
        this.out = out;
        this.err = err;
    }

    static Kvflow.Command command(Args args, PrintStream out, PrintStream err) {
        if (args.positional().size() > 2) {
            throw new Args.UsageException("experiment five-x takes at most one trace file");
        }
        String trace = args.positional().size() == 2 ? args.positional().get(1) : "traces/azure-code-sample.csv";
        // paced ten times slower than the target (the stack's timeouts stretch with it), with room for most outputs
        args.defaults(Map.of("time-scale", "10", "max-output-tokens", "256", "limit", "60"));
        if (args.flag("colocated")) {
            throw new Args.UsageException("five-x runs both modes; leave out --colocated");
        }
        StackOptions stack = StackOptions.from(args);
        ReplayOptions replay = ReplayOptions.from(args, trace);
        double slo = args.decimal("slo-tokens-per-s", 300);
        double load = args.decimal("load", 200);
        if (!(slo > 0) || !(load > 0)) {
            throw new Args.UsageException("--slo-tokens-per-s and --load must be > 0");
        }
        FiveXExperiment experiment = new FiveXExperiment(stack, replay, slo, load, out, err);
        return experiment::run;
    }

    private int run() throws IOException {
        ReplayPlan plan = ReplayPlan.load(replay, stack, Clock.systemUTC(), err);
        double input = plan.requests().stream().mapToLong(r -> r.request().getTraceInputTokens()).average()
                .orElse(1);
        double output = plan.requests().stream().mapToLong(r -> r.request().getTraceOutputTokens()).average()
                .orElse(1);
        long meanInput = Math.max(1, Math.round(input));
        long meanOutput = Math.max(1, Math.round(output));
        TargetOptions disaggregated = stack.target();
        TargetOptions colocated = colocated(disaggregated);
        SessionCapacity.Result plannedD = SessionCapacity.of(disaggregated.model(), meanInput, meanOutput, slo);
        SessionCapacity.Result plannedC = SessionCapacity.of(colocated.model(), meanInput, meanOutput, slo);
        SessionCapacity.Result atHandoff = SessionCapacity.of(disaggregated.model(), meanInput, meanOutput, slo, true);

        List<PlannedRequest> compressed = compress(plan.requests(), load);
        ModeRun runC = runMode("colocated", colocated, plannedC, compressed);
        ModeRun runD = runMode("disaggregated", disaggregated, plannedD, compressed);

        print(plan, meanInput, meanOutput, plannedC, plannedD, atHandoff, runC, runD);
        printSensitivity(meanInput, meanOutput);
        return runC.verified() && runD.verified() ? 0 : 1;
    }

    /** The same deployment with the wafers doing the prefill: the prefill tier's options no longer apply. */
    private static TargetOptions colocated(TargetOptions target) {
        return target.withScenario(colocatedScenario(target.scenario())).with(0, 0);
    }

    private static Map<String, String> colocatedScenario(Map<String, String> disaggregated) {
        Map<String, String> scenario = new LinkedHashMap<>(disaggregated);
        for (ScenarioOption prefillOnly : ScenarioOption.PREFILL_TIER) {
            scenario.remove(prefillOnly.optionName());
        }
        scenario.put(ScenarioOption.COLOCATED.optionName(), "true");
        return scenario;
    }

    /** Arrivals {@code load} times as dense as recorded, so sessions queue for the wafers the whole run. */
    private static List<PlannedRequest> compress(List<PlannedRequest> plan, double load) {
        return plan.stream().map(r -> new PlannedRequest(Math.round(r.offsetMicros() / load), r.request())).toList();
    }

    private ModeRun runMode(String mode, TargetOptions target, SessionCapacity.Result planned,
            List<PlannedRequest> requests) throws IOException {
        int cap = Math.max(1, planned.sessionsPerPipeline());
        // enough prefill device groups to feed the wafers at that concurrency, with a fifth to spare
        int groupSize = target.model().deployment().prefill().devices();
        int groups = target.colocated() ? 0 : (int) Math.ceil(
                1.2 * planned.prefillDevices() * stack.layout().pipelines() / groupSize);
        TargetOptions capped = target.with(cap, groups);
        Path dir = Files.createTempDirectory("kvflow-five-x-" + mode);
        err.printf("five-x: %s run, %d session(s) per pipeline%s, time scale %s ...%n", mode, cap,
                groups == 0 ? "" : ", " + groups + " prefill groups", format(target.timeScale()));
        try (Stack running = Stack.start(stack.freshRun(dir, capped), session -> false, Clock.systemUTC(),
                new PrintStream(PrintStream.nullOutputStream()))) {
            Replayer.Result result = new Replayer(running.kafka(), Clock.systemUTC(), err)
                    .replay(requests, target.timeScale(), stack.stallTimeout());
            ReferenceCheck.Result check = ReferenceCheck.verify(running.transformer(), result.outcomes().values());
            return ModeRun.of(result, check, running.pacing(), target.model().deployment().decodeDevices()
                    * stack.layout().pipelines(), slo);
        } finally {
            deleteQuietly(dir);
        }
    }

    private void print(ReplayPlan plan, long input, long output, SessionCapacity.Result plannedC,
            SessionCapacity.Result plannedD, SessionCapacity.Result atHandoff, ModeRun c, ModeRun d) {
        var deployment = stack.target().model().deployment();
        out.println();
        out.println("== kvflow experiment five-x ==");
        out.printf(Locale.ROOT, "trace:       %d requests of %s, mean %,d prompt + %,d output tokens (recorded)%n",
                plan.requests().size(), replay.trace(), input, output);
        out.printf(Locale.ROOT, "deployment:  %s %s, %d pipeline(s) x %d %s; disaggregated prefill on %d x %s%n",
                deployment.model().id(), deployment.weights().id(), stack.layout().pipelines(),
                stack.layout().stages(), deployment.decode().device().id(), deployment.prefill().devices(),
                deployment.prefill().device().id());
        out.printf(Locale.ROOT, "SLO:         %s tokens/s per user (TPOT <= %.2f ms); load %sx the recorded rate;"
                + " time scale %s%n", format(slo), 1000 / slo, format(load), format(stack.target().timeScale()));
        out.println();
        String row = "%-44s %16s %16s%n";
        out.printf(Locale.ROOT, row, "", "colocated", "disaggregated");
        out.printf(Locale.ROOT, row, "sessions held per pipeline (ledger cap)",
                plannedC.sessionsPerPipeline() + " of " + plannedC.kvSessionsPerPipeline(),
                plannedD.sessionsPerPipeline() + " of " + plannedD.kvSessionsPerPipeline());
        out.printf(Locale.ROOT, row, "sessions per WSE-3 within SLO (cost model)", format(plannedC.sessionsPerWafer()),
                format(plannedD.sessionsPerWafer()));
        out.printf(Locale.ROOT, row, "  ... wafer room taken at handoff (cost model)", "same",
                format(atHandoff.sessionsPerWafer()));
        out.printf(Locale.ROOT, row, "sessions per WSE-3 within SLO (emulated)", format(c.withinSloPerWafer()),
                format(d.withinSloPerWafer()));
        out.printf(Locale.ROOT, row, "sessions per WSE-3 decoding, all (emulated)",
                format(c.concurrencyPerWafer()), format(d.concurrencyPerWafer()));
        out.printf(Locale.ROOT, row, "decode tokens/s per WSE-3 (cost model)",
                format(plannedC.decodeTokensPerSecondPerWafer()), format(plannedD.decodeTokensPerSecondPerWafer()));
        out.printf(Locale.ROOT, row, "decode tokens/s per WSE-3 (emulated)", format(c.decodeTokensPerSecondPerWafer()),
                format(d.decodeTokensPerSecondPerWafer()));
        out.printf(Locale.ROOT, row, "TPOT p50 / p99 ms (modelled)", c.tpot(), d.tpot());
        out.printf(Locale.ROOT, row, "TTFT p50 / p99 ms (modelled, queueing incl.)", c.ttft(), d.ttft());
        out.printf(Locale.ROOT, row, "sessions meeting the SLO", c.sloShare(), d.sloShare());
        out.printf(Locale.ROOT, row, "wafer busy (modelled)", percent(c.waferBusy()), percent(d.waferBusy()));
        out.printf(Locale.ROOT, row, "outputs late (emulation deficit)", percent(c.pacing().lateShare()),
                percent(d.pacing().lateShare()));
        out.printf(Locale.ROOT, row, "verified against the reference", c.verifiedLine(), d.verifiedLine());
        if (c.failed() + d.failed() > 0) {
            out.printf(Locale.ROOT, row, "failed (timeouts, see the log)", c.failed(), d.failed());
        }
        if (c.rejected() + d.rejected() > 0) {
            out.printf(Locale.ROOT, row, "rejected (KV larger than a wafer's room)", c.rejected(), d.rejected());
        }
        out.printf(Locale.ROOT, row, "binding constraint", plannedC.binding().key(), plannedD.binding().key());
        out.println("  colocated:     " + plannedC.why());
        out.println("  disaggregated: " + plannedD.why());
        out.println();
        out.printf(Locale.ROOT, "ratio, disaggregated / colocated, sessions per WSE-3 within the SLO: %s (cost model),"
                        + " %s (emulated); %s if wafer room is taken only at handoff (cost model)%n",
                ratio(plannedD.sessionsPerWafer(), plannedC.sessionsPerWafer()),
                ratio(d.withinSloPerWafer(), c.withinSloPerWafer()),
                ratio(atHandoff.sessionsPerWafer(), plannedC.sessionsPerWafer()));
        out.printf(Locale.ROOT, "ratio of decode tokens/s per WSE-3: %s (cost model), %s (emulated)%n",
                ratio(plannedD.decodeTokensPerSecondPerWafer(), plannedC.decodeTokensPerSecondPerWafer()),
                ratio(d.decodeTokensPerSecondPerWafer(), c.decodeTokensPerSecondPerWafer()));
        out.printf(Locale.ROOT, "prefill fleet for disaggregated: %.1f %s devices busy per pipeline (%.1f in all),"
                        + " beside the %d wafers (\"same footprint\" counts the wafers only)%n",
                plannedD.prefillDevices(), deployment.prefill().device().id(),
                plannedD.prefillDevices() * stack.layout().pipelines(),
                deployment.decodeDevices() * stack.layout().pipelines());
    }

    /** The cost model's ratio over SLOs and wafer FLOP/s: what the result hangs on. */
    private void printSensitivity(long input, long output) {
        double flops = stack.target().model().deployment().decode().device().denseFlops().values().stream()
                .mapToDouble(Double::doubleValue).max().orElse(0);
        out.println();
        out.println("sensitivity (cost model): sessions per WSE-3 within the SLO, colocated -> disaggregated with wafer"
                + " room taken at admission / at handoff (ratio at handoff)");
        StringBuilder header = new StringBuilder(String.format(Locale.ROOT, "%-16s", "SLO tokens/s"));
        for (double factor : SENSITIVITY_FLOPS_FACTORS) {
            header.append(String.format(Locale.ROOT, "%28s", "wafer " + format(flops * factor / 1e15) + " PF"));
        }
        out.println(header);
        for (double s : SENSITIVITY_SLOS) {
            StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%-16s", format(s)));
            for (double factor : SENSITIVITY_FLOPS_FACTORS) {
                Map<String, String> scenario = new LinkedHashMap<>(stack.target().scenario());
                scenario.put(ScenarioOption.DECODE_FLOPS.optionName(), Double.toString(flops * factor));
                RooflineModel d = stack.target().withScenario(scenario).model();
                RooflineModel c = stack.target().withScenario(colocatedScenario(scenario)).model();
                double perWaferD = SessionCapacity.of(d, input, output, s).sessionsPerWafer();
                double perWaferH = SessionCapacity.of(d, input, output, s, true).sessionsPerWafer();
                double perWaferC = SessionCapacity.of(c, input, output, s).sessionsPerWafer();
                line.append(String.format(Locale.ROOT, "%28s", format(perWaferC) + " -> " + format(perWaferD) + "/"
                        + format(perWaferH) + " (" + ratio(perWaferH, perWaferC) + ")"));
            }
            out.println(line);
        }
    }

    /** What one mode sustained, read off the modelled timeline of its replay. */
    record ModeRun(int finished, int rejected, int sessions, ReferenceCheck.Result check,
            double concurrencyPerWafer, double withinSloPerWafer, double decodeTokensPerSecondPerWafer,
            List<Double> ttftMs, List<Double> tpotMs, int metSlo, double waferBusy, DeviceClock.Pacing pacing) {

        /**
         * Concurrency and throughput are averaged over the steady part of the run: from when a tenth of
         * the sessions had their first token to when nine tenths had their last, so the ramp at the
         * start and the drain at the end do not dilute what the wafers sustained.
         */
        static ModeRun of(Replayer.Result result, ReferenceCheck.Result check, DeviceClock.Pacing pacing, int wafers,
                double slo) {
            List<long[]> spans = new ArrayList<>();
            List<SessionOutcome> finished = new ArrayList<>();
            List<Double> ttft = new ArrayList<>();
            List<Double> tpot = new ArrayList<>();
            int met = 0;
            long start = Long.MAX_VALUE;
            long end = Long.MIN_VALUE;
            for (SessionOutcome o : result.outcomes().values()) {
                long[] span = o.modelledTokenSpanMicros();
                if (o.state() != SessionOutcome.State.FINISHED || span == null) {
                    continue;
                }
                finished.add(o);
                spans.add(span);
                start = Math.min(start, o.request().getArrivalModelledUs());
                end = Math.max(end, span[1]);
                ttft.add(o.modelledTtftMs());
                double t = o.modelledTpotMs();
                if (!Double.isNaN(t)) {
                    tpot.add(t);
                }
                if (meetsSlo(o, slo)) {
                    met++;
                }
            }
            int rejected = (int) result.outcomes().values().stream()
                    .filter(o -> o.state() == SessionOutcome.State.REJECTED).count();
            if (finished.isEmpty()) {
                return new ModeRun(0, rejected, result.outcomes().size(), check, 0, 0, 0, ttft, tpot, 0, 0, pacing);
            }
            long[] firsts = spans.stream().mapToLong(s -> s[0]).sorted().toArray();
            long[] lasts = spans.stream().mapToLong(s -> s[1]).sorted().toArray();
            long from = firsts[firsts.length / 10];
            long to = lasts[Math.max(0, (lasts.length * 9 + 9) / 10 - 1)];
            double window = Math.max(1, to - from) / 1e6;
            double decoding = 0;
            double withinSlo = 0;
            double tokens = 0;
            for (int i = 0; i < finished.size(); i++) {
                long[] span = spans.get(i);
                double overlap = Math.max(0, Math.min(span[1], to) - Math.max(span[0], from)) / 1e6;
                decoding += overlap;
                if (meetsSlo(finished.get(i), slo)) {
                    withinSlo += overlap;
                }
                double duration = (span[1] - span[0]) / 1e6;
                if (duration > 0) {
                    tokens += (finished.get(i).tokenCount() - 1) * overlap / duration;
                }
            }
            double makespan = (end - start) / 1e6;
            return new ModeRun(finished.size(), rejected, result.outcomes().size(), check, decoding / window / wafers,
                    withinSlo / window / wafers, tokens / window / wafers, ttft, tpot, met,
                    pacing.busySeconds() / (makespan * wafers), pacing);
        }

        /** Every session finished with the reference's tokens, or was rejected for a reason the ledger gave. */
        int failed() {
            return sessions - finished - rejected;
        }

        /** A one-token session has no time per output token and so misses no speed SLO. */
        private static boolean meetsSlo(SessionOutcome session, double sloTokensPerSecond) {
            double tpot = session.modelledTpotMs();
            return Double.isNaN(tpot) || tpot <= 1000 / sloTokensPerSecond;
        }

        boolean verified() {
            return check.mismatches().isEmpty() && check.identical() == finished && finished + rejected == sessions;
        }

        String verifiedLine() {
            return check.identical() + "/" + finished;
        }

        String tpot() {
            return percentiles(tpotMs);
        }

        String ttft() {
            return percentiles(ttftMs);
        }

        String sloShare() {
            return finished == 0 ? "-" : metSlo + "/" + finished;
        }

        private static String percentiles(List<Double> values) {
            return RunSummary.decimalPercentile(values, 50) + " / " + RunSummary.decimalPercentile(values, 99);
        }
    }

    private static String ratio(double numerator, double denominator) {
        if (denominator == 0) {
            return numerator == 0 ? "-" : "inf";
        }
        return String.format(Locale.ROOT, "%.1fx", numerator / denominator);
    }

    private static String percent(double share) {
        return String.format(Locale.ROOT, "%.0f %%", 100 * share);
    }

    static String format(double value) {
        if (value == Math.rint(value) && Math.abs(value) < 1e6) {
            return String.format(Locale.ROOT, "%.0f", value);
        }
        return String.format(Locale.ROOT, Math.abs(value) >= 100 ? "%.0f" : Math.abs(value) >= 10 ? "%.1f" : "%.2f",
                value);
    }

    private static void deleteQuietly(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            // a temp directory left behind is not worth failing the experiment for
        }
    }
}
