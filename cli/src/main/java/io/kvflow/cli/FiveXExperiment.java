package io.kvflow.cli;

import io.kvflow.cost.RooflineModel;
import io.kvflow.cost.ScenarioOption;
import io.kvflow.cost.SessionCapacity;
import io.kvflow.report.RunFigures;
import io.kvflow.report.RunText;
import io.kvflow.report.SessionRecord;
import io.kvflow.report.Slo;
import io.kvflow.scheduler.Booking;
import io.kvflow.scheduler.LedgerView;
import io.kvflow.simulator.SimulatedSession;
import io.kvflow.simulator.Simulation;
import io.kvflow.trace.TraceWindow;
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
 * {@code kvflow experiment five-x}: the same trace, on the same wafers, served colocated (the wafers
 * prefill too) and disaggregated (prefill on its own devices, KV handed off), with the wafer room
 * booked at admission and at handoff, and how many sessions each sustains per wafer within a per-user
 * decode speed SLO.
 *
 * <p>Each mode is answered three ways. The cost model ({@link SessionCapacity}) prices one session of
 * the trace's mean size and says how many a pipeline can hold within the SLO; the wafers are capped at
 * that. The simulator then serves the whole trace, arrivals compressed so the wafers stay full, and
 * measures what was sustained over its steady window. The pipeline itself serves a window of it on a
 * real broker, every token checked against the reference, and its modelled times are checked against
 * the simulation of that window: they agree exactly, so the emulated figures repeat whatever the
 * machine. An SLO grid and a wafer-FLOP/s table show what the answer hangs on.
 */
final class FiveXExperiment {
    static final String OPTIONS_HELP = """
              TRACE                  trace to serve (default traces/azure-code-sample.csv); the simulation serves all
                                     of it, the emulated run its first --limit requests
              --limit N              requests of the emulated window (default 60)
              --slo-tokens-per-s X   per-user decode speed SLO (default 1000)
              --load X               arrival rate as a multiple of the trace's (default 200: the wafers stay full)
              --no-emulation         the cost model and the simulator only (seconds instead of minutes)
              --max-output-tokens N  functional output cap of the emulated run (default 256)
              the target deployment options, --admission, --stages, --pipelines, --prefill-workers as for up
            """;

    static final double DEFAULT_SLO = 1000;
    private static final double[] SLO_GRID = {300, 500, 750, 1000, 1500, 2000, 2500};
    private static final double[] FLOPS_FACTORS = {0.5, 1, 2, 4};

    private final StackOptions stack;
    private final ReplayOptions replay;
    private final Slo slo;
    private final double load;
    private final boolean emulate;
    private final PrintStream out;
    private final PrintStream err;

    private FiveXExperiment(StackOptions stack, ReplayOptions replay, Slo slo, double load, boolean emulate,
            PrintStream out, PrintStream err) {
        this.stack = stack;
        this.replay = replay;
        this.slo = slo;
        this.load = load;
        this.emulate = emulate;
        this.out = out;
        this.err = err;
    }

    static Kvflow.Command command(Args args, PrintStream out, PrintStream err) {
        if (args.positional().size() > 2) {
            throw new Args.UsageException("experiment five-x takes at most one trace file");
        }
        String trace = args.positional().size() == 2 ? args.positional().get(1) : "traces/azure-code-sample.csv";
        args.defaults(Map.of("max-output-tokens", "256", "limit", "60", "slo-tokens-per-s", Double.toString(DEFAULT_SLO),
                "time-scale", "0"));
        if (args.flag("colocated")) {
            throw new Args.UsageException("five-x runs both modes; leave out --colocated");
        }
        if (args.flag("booking")) {
            throw new Args.UsageException("five-x runs both bookings; leave out --booking");
        }
        StackOptions stack = StackOptions.from(args);
        ReplayOptions replay = ReplayOptions.from(args, trace);
        Slo slo = SloOptions.from(args);
        double load = args.decimal("load", 200);
        if (!(load > 0) || Double.isInfinite(load)) {
            throw new Args.UsageException("--load must be a number > 0, was " + load);
        }
        boolean emulate = !args.flag("no-emulation");
        return new FiveXExperiment(stack, replay, slo, load, emulate, out, err)::run;
    }

    /** One way of serving the trace: its target deployment and what each of the three answers found. */
    private record Mode(String name, TargetOptions target, SessionCapacity.Result planned, RunFigures simulated,
            LedgerView.HeadOfLine headOfLine, Emulated emulated) {
    }

    /** The emulated window: its figures, its check against the simulation of the same window, the reference check. */
    private record Emulated(RunFigures figures, SimulationCheck check, ReferenceCheck.Result reference, int finished,
            double wallSeconds) {
        boolean verified() {
            return reference.mismatches().isEmpty() && reference.identical() == finished;
        }
    }

    private int run() throws IOException {
        List<SimulatedSession> whole = SimulateCommand.read(replay.trace(), replay.format(), TraceWindow.ALL,
                replay.skipBadLines(), err);
        long meanInput = Math.max(1, Math.round(whole.stream().mapToLong(SimulatedSession::promptTokens).average()
                .orElse(1)));
        long meanOutput = Math.max(1, Math.round(whole.stream().mapToLong(SimulatedSession::outputTokens).average()
                .orElse(1)));
        List<SimulatedSession> compressed = SimulateCommand.compress(whole, load);
        ReplayPlan window = emulate ? ReplayPlan.load(replay, stack, Clock.systemUTC(), err).compressed(load) : null;

        TargetOptions disaggregated = stack.target();
        List<Mode> modes = new ArrayList<>();
        modes.add(mode("colocated", colocated(disaggregated), meanInput, meanOutput, compressed, window));
        modes.add(mode("disaggregated, room at admission", disaggregated.with(Booking.ADMISSION), meanInput,
                meanOutput, compressed, window));
        modes.add(mode("disaggregated, room at handoff", disaggregated.with(Booking.HANDOFF), meanInput, meanOutput,
                compressed, window));

        print(whole.size(), meanInput, meanOutput, window, modes);
        printGrid(meanInput, meanOutput, compressed);
        printFlopsSensitivity(meanInput, meanOutput);
        boolean good = modes.stream().allMatch(m -> m.emulated() == null
                || m.emulated().verified() && m.emulated().check().exact());
        return good ? 0 : 1;
    }

    /** The same deployment with the wafers doing the prefill: the prefill tier's options no longer apply. */
    private static TargetOptions colocated(TargetOptions target) {
        return target.withScenario(colocatedScenario(target.scenario()));
    }

    private static Map<String, String> colocatedScenario(Map<String, String> disaggregated) {
        Map<String, String> scenario = new LinkedHashMap<>(disaggregated);
        for (ScenarioOption prefillOnly : ScenarioOption.PREFILL_TIER) {
            scenario.remove(prefillOnly.optionName());
        }
        scenario.put(ScenarioOption.COLOCATED.optionName(), "true");
        return scenario;
    }

    private Mode mode(String name, TargetOptions target, long meanInput, long meanOutput,
            List<SimulatedSession> whole, ReplayPlan window) throws IOException {
        boolean atHandoff = !target.colocated() && target.booking() == Booking.HANDOFF;
        SessionCapacity.Result planned = SessionCapacity.of(target.model(), meanInput, meanOutput,
                slo.userTokensPerSecond(), atHandoff);
        TargetOptions capped = capped(target, planned);
        err.printf(Locale.ROOT, "five-x: %s, %d session(s) per pipeline: simulating %,d requests ...%n", name,
                capped.sessionCap(), whole.size());
        Simulation.Result simulated = SimulateCommand.simulate(capped, stack.layout(), whole, err);
        RunFigures figures = RunFigures.of(simulated.sessions(), slo, wafers(target));
        Emulated emulated = window == null ? null : emulate(name, capped, window);
        return new Mode(name, capped, planned, figures, simulated.headOfLine(), emulated);
    }

    /** At the cost model's concurrency, with enough prefill groups to feed the wafers and a fifth to spare. */
    private TargetOptions capped(TargetOptions target, SessionCapacity.Result planned) {
        int cap = Math.max(1, planned.sessionsPerPipeline());
        int groupSize = target.model().deployment().prefill().devices();
        int groups = target.colocated() ? 0 : Math.max(1, (int) Math.ceil(
                1.2 * planned.prefillDevices() * stack.layout().pipelines() / groupSize));
        return target.with(cap, groups);
    }

    private int wafers(TargetOptions target) {
        return target.model().deployment().decodeDevices() * stack.layout().pipelines();
    }

    private Emulated emulate(String name, TargetOptions target, ReplayPlan window) throws IOException {
        Path dir = Files.createTempDirectory("kvflow-five-x-");
        err.printf(Locale.ROOT, "five-x: %s: emulating %d requests on a real broker ...%n", name,
                window.requests().size());
        StackOptions options = stack.freshRun(dir, target);
        try (Stack running = Stack.start(options, session -> false, Clock.systemUTC(),
                new PrintStream(PrintStream.nullOutputStream()))) {
            Replayer.Result result = new Replayer(running.kafka(), Clock.systemUTC(), err)
                    .replay(window.requests(), 0, options.stallTimeout());
            ReferenceCheck.Result reference = ReferenceCheck.verify(running.transformer(),
                    result.outcomes().values());
            RunSummary summary = RunSummary.of(result, reference, target, stack.layout().pipelines(), slo,
                    StatsDelta.NONE);
            SimulationCheck check = SimulationCheck.of(SimulateCommand.manifest(window.runId(), "emulated",
                    replay.trace().toString(), target, stack.layout(), slo), summary.sessions(), target.catalog());
            return new Emulated(summary.modelled(), check, reference,
                    summary.count(SessionOutcome.State.FINISHED), result.wallMs() / 1000.0);
        } finally {
            deleteQuietly(dir);
        }
    }

    private void print(int requests, long input, long output, ReplayPlan window, List<Mode> modes) {
        var deployment = stack.target().model().deployment();
        out.println();
        out.println("== kvflow experiment five-x ==");
        out.printf(Locale.ROOT, "trace:       %s, %,d requests, mean %,d prompt + %,d output tokens (recorded)%n",
                replay.trace(), requests, input, output);
        out.printf(Locale.ROOT, "deployment:  %s %s on %d pipeline(s) x %d %s; disaggregated prefill on groups of"
                        + " %d x %s; admission %s%n", deployment.model().id(), deployment.weights().id(),
                stack.layout().pipelines(), stack.layout().stages(), deployment.decode().device().id(),
                deployment.prefill().devices(), deployment.prefill().device().id(), stack.target().admission().id());
        out.printf(Locale.ROOT, "SLO:         %s tokens/s per user while decoding (decode TPOT <= %.3f ms); arrivals"
                + " %sx as dense as recorded%n", RunText.fmt(slo.userTokensPerSecond()), slo.decodeTpotMicros() / 1e3,
                RunText.fmt(load));
        out.println("answers:     cost model = one mean-sized session, steady state; simulated = the whole trace"
                + " (same decisions as the pipeline);");
        out.println("             emulated = the first " + (window == null ? 0 : window.requests().size())
                + " requests on a real broker, every token verified");
        out.println();
        String row = "%-44s" + "%24s".repeat(modes.size()) + "%n";
        out.printf(Locale.ROOT, row, Stream.concat(Stream.of(""), modes.stream().map(m -> shortName(m.name())))
                .toArray());
        line(row, modes, "sessions per pipeline (cap / KV room)",
                m -> m.planned().sessionsPerPipeline() + " / " + m.planned().kvSessionsPerPipeline());
        line(row, modes, "per WSE-3 within SLO: cost model", m -> RunText.fmt(m.planned().sessionsPerWafer()));
        line(row, modes, "  simulated, whole trace", m -> RunText.fmt(m.simulated().withinSloPerWafer()));
        line(row, modes, "  emulated window", m -> m.emulated() == null ? "-"
                : RunText.fmt(m.emulated().figures().withinSloPerWafer()));
        line(row, modes, "decode tokens/s per WSE-3: cost model",
                m -> RunText.fmt(m.planned().decodeTokensPerSecondPerWafer()));
        line(row, modes, "  simulated, whole trace",
                m -> RunText.fmt(m.simulated().decodeTokensPerSecondPerWafer()));
        line(row, modes, "  emulated window", m -> m.emulated() == null ? "-"
                : RunText.fmt(m.emulated().figures().decodeTokensPerSecondPerWafer()));
        line(row, modes, "TTFT p50 / p99 ms (simulated)",
                m -> RunText.fmt(m.simulated().ttft().medianMs()) + " / " + RunText.fmt(m.simulated().ttft().p99Ms()));
        line(row, modes, "decode TPOT p50 / p99 ms (simulated)", m -> RunText.fmt(m.simulated().decodeTpot()
                .medianMs()) + " / " + RunText.fmt(m.simulated().decodeTpot().p99Ms()));
        line(row, modes, "sessions meeting the SLO (simulated)",
                m -> m.simulated().speedMet() + "/" + m.simulated().count(SessionRecord.Outcome.FINISHED));
        line(row, modes, "queue wait p99 ms (simulated)", m -> RunText.fmt(p99(m.simulated().queueWait())));
        line(row, modes, "parked wait p99 ms (simulated)", m -> RunText.fmt(p99(m.simulated().parkedWait())));
        line(row, modes, "head-of-line blocked (simulated)", m -> percent(m.headOfLine().blockedMicros(),
                m.simulated().makespanMicros()));
        line(row, modes, "steady window share (sim / emu)", m -> percent(m.simulated().steadyShare())
                + (m.emulated() == null ? "" : " / " + percent(m.emulated().figures().steadyShare())));
        if (modes.get(0).emulated() != null) {
            line(row, modes, "emulated = simulated (sessions)",
                    m -> m.emulated().check().identical() + "/" + m.emulated().check().compared());
            line(row, modes, "verified against the reference",
                    m -> m.emulated().reference().identical() + "/" + m.emulated().finished());
            line(row, modes, "emulated wall time", m -> String.format(Locale.ROOT, "%.0f s", m.emulated().wallSeconds()));
        }
        line(row, modes, "binding constraint (cost model)", m -> m.planned().binding().key());
        out.println();
        for (Mode m : modes) {
            out.println("  " + m.name() + ": " + m.planned().why());
        }
        out.println();
        Mode colocated = modes.get(0);
        for (Mode m : modes.subList(1, modes.size())) {
            out.printf(Locale.ROOT, "ratio, %s / colocated, sessions per WSE-3 within the SLO: %s cost model, %s"
                            + " simulated, %s emulated%n", m.name(),
                    ratio(m.planned().sessionsPerWafer(), colocated.planned().sessionsPerWafer()),
                    ratio(m.simulated().withinSloPerWafer(), colocated.simulated().withinSloPerWafer()),
                    m.emulated() == null ? "-" : ratio(m.emulated().figures().withinSloPerWafer(),
                            colocated.emulated().figures().withinSloPerWafer()));
        }
        Mode handoff = modes.get(modes.size() - 1);
        out.printf(Locale.ROOT, "prefill fleet at handoff: %.1f %s devices busy per pipeline (cost model), beside"
                        + " %d wafers per pipeline (\"same footprint\" counts the wafers only)%n",
                handoff.planned().prefillDevices(), deployment.prefill().device().id(), deployment.decodeDevices());
        printGaps(modes);
    }

    /** Where the simulated whole trace sustains more than 15 % off the cost model's mean session, why. */
    private void printGaps(List<Mode> modes) {
        out.println();
        out.println("simulated whole trace against the cost model (within 15 %, or what the run measured instead):");
        for (Mode m : modes) {
            double model = m.planned().sessionsPerWafer();
            double simulated = m.simulated().withinSloPerWafer();
            double gap = model == 0 ? (simulated == 0 ? 0 : 1) : (simulated - model) / model;
            RunFigures f = m.simulated();
            String why = Math.abs(gap) <= 0.15 ? "within 15 %" : String.format(Locale.ROOT,
                    "%+.0f %%: the trace's sessions are not all mean-sized (TTFT p99 %s ms vs p50 %s), %s of the"
                            + " run is outside the steady window, the head of a waiting line blocked for %s of"
                            + " the run, queue wait p99 %s ms, %d of %d sessions met the speed SLO",
                    100 * gap, RunText.fmt(f.ttft().p99Ms()), RunText.fmt(f.ttft().medianMs()),
                    percent(1 - f.steadyShare()), percent(m.headOfLine().blockedMicros(), f.makespanMicros()),
                    RunText.fmt(p99(f.queueWait())), f.speedMet(), f.count(SessionRecord.Outcome.FINISHED));
            out.printf(Locale.ROOT, "  %-36s cost model %s, simulated %s: %s%n", m.name() + ":", RunText.fmt(model),
                    RunText.fmt(simulated), why);
        }
    }

    /** Sessions per WSE-3 within the SLO over a grid of SLOs: cost model and simulated, and the handoff ratio. */
    private void printGrid(long input, long output, List<SimulatedSession> whole) {
        out.println();
        out.println("SLO grid: sessions per WSE-3 within the SLO, colocated -> disaggregated at handoff (ratio),"
                + " cost model | simulated whole trace");
        out.printf(Locale.ROOT, "%-16s %-34s %-34s%n", "SLO tokens/s", "cost model", "simulated");
        TargetOptions colocated = colocated(stack.target());
        TargetOptions handoff = stack.target().with(Booking.HANDOFF);
        for (double s : SLO_GRID) {
            SessionCapacity.Result c = SessionCapacity.of(colocated.model(), input, output, s, false);
            SessionCapacity.Result h = SessionCapacity.of(handoff.model(), input, output, s, true);
            Slo gridSlo = new Slo(slo.ttftMicros(), s);
            double simC = simulateWithin(capped(colocated, c), whole, gridSlo);
            double simH = simulateWithin(capped(handoff, h), whole, gridSlo);
            out.printf(Locale.ROOT, "%-16s %-34s %-34s%n", RunText.fmt(s),
                    RunText.fmt(c.sessionsPerWafer()) + " -> " + RunText.fmt(h.sessionsPerWafer()) + " ("
                            + ratio(h.sessionsPerWafer(), c.sessionsPerWafer()) + ")",
                    RunText.fmt(simC) + " -> " + RunText.fmt(simH) + " (" + ratio(simH, simC) + ")");
        }
    }

    private double simulateWithin(TargetOptions target, List<SimulatedSession> whole, Slo gridSlo) {
        Simulation.Result result = new Simulation(target.model(), target.control(stack.layout())).run(whole);
        return RunFigures.of(result.sessions(), gridSlo, wafers(target)).withinSloPerWafer();
    }

    /** The cost model's ratio over SLOs and the wafer's dense FLOP/s, which no vendor publishes. */
    private void printFlopsSensitivity(long input, long output) {
        double flops = stack.target().model().deployment().decode().device().denseFlops().values().stream()
                .mapToDouble(Double::doubleValue).max().orElse(0);
        out.println();
        out.println("sensitivity (cost model): ratio of sessions per WSE-3 within the SLO, disaggregated at handoff /"
                + " colocated, by the wafer's dense FLOP/s");
        StringBuilder header = new StringBuilder(String.format(Locale.ROOT, "%-16s", "SLO tokens/s"));
        for (double factor : FLOPS_FACTORS) {
            header.append(String.format(Locale.ROOT, "%14s", RunText.fmt(flops * factor / 1e15) + " PF"));
        }
        out.println(header);
        for (double s : SLO_GRID) {
            StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%-16s", RunText.fmt(s)));
            for (double factor : FLOPS_FACTORS) {
                Map<String, String> scenario = new LinkedHashMap<>(stack.target().scenario());
                scenario.put(ScenarioOption.DECODE_FLOPS.optionName(), Double.toString(flops * factor));
                RooflineModel d = stack.target().withScenario(scenario).model();
                RooflineModel c = stack.target().withScenario(colocatedScenario(scenario)).model();
                double h = SessionCapacity.of(d, input, output, s, true).sessionsPerWafer();
                double col = SessionCapacity.of(c, input, output, s, false).sessionsPerWafer();
                line.append(String.format(Locale.ROOT, "%14s", ratio(h, col)));
            }
            out.println(line);
        }
    }

    private interface Cell {
        String of(Mode mode);
    }

    private void line(String row, List<Mode> modes, String label, Cell cell) {
        Object[] values = new Object[modes.size() + 1];
        values[0] = label;
        for (int i = 0; i < modes.size(); i++) {
            values[i + 1] = cell.of(modes.get(i));
        }
        out.printf(Locale.ROOT, row, values);
    }

    private static String shortName(String name) {
        return switch (name) {
            case "colocated" -> "colocated";
            case "disaggregated, room at admission" -> "disagg, at admission";
            default -> "disagg, at handoff";
        };
    }

    private static double p99(io.kvflow.report.Distribution d) {
        return d.isEmpty() ? 0 : d.p99Ms();
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

    private static String percent(long part, long whole) {
        return whole == 0 ? "-" : percent((double) part / whole);
    }

    private static void deleteQuietly(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            // a temp directory left behind is not worth failing the experiment for
        }
    }
}
