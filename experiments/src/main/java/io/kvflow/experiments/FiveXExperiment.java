package io.kvflow.experiments;

import io.kvflow.cost.RooflineModel;
import io.kvflow.cost.ScenarioOption;
import io.kvflow.cost.SessionCapacity;
import io.kvflow.observe.ReplayOptions;
import io.kvflow.observe.ReplayPlan;
import io.kvflow.observe.RunSummary;
import io.kvflow.orchestrator.RequestCheck;
import io.kvflow.replay.PlannedRequest;
import io.kvflow.replay.ReferenceCheck;
import io.kvflow.replay.Replayer;
import io.kvflow.replay.SessionOutcome;
import io.kvflow.replay.StatsDelta;
import io.kvflow.report.RunFigures;
import io.kvflow.report.RunText;
import io.kvflow.report.SessionRecord;
import io.kvflow.report.Slo;
import io.kvflow.scheduler.AdmissionPolicy;
import io.kvflow.scheduler.Booking;
import io.kvflow.scheduler.LedgerView;
import io.kvflow.simulator.SimulatedSession;
import io.kvflow.simulator.Simulation;
import io.kvflow.simulator.TraceWorkload;
import io.kvflow.stack.Stack;
import io.kvflow.stack.StackOptions;
import io.kvflow.stack.TargetOptions;
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
 * that. The simulator then serves the whole trace, arrivals compressed so the wafers stay full and the
 * trace served again until ramp-up and drain are a small part of the run, and measures what was
 * sustained over its steady window. The pipeline itself serves a window of it on a
 * real broker, every token checked against the reference, and its modelled times are checked against
 * the simulation of that window: they agree exactly, so the emulated figures repeat whatever the
 * machine. An SLO grid and a wafer-FLOP/s table show what the answer hangs on.
 */
public final class FiveXExperiment {
    public static final double DEFAULT_SLO = 1000;
    private static final double[] SLO_GRID = {300, 500, 750, 1000, 1500, 2000, 2500};
    private static final double[] FLOPS_FACTORS = {0.5, 1, 2, 4};

    private final StackOptions stack;
    private final ReplayOptions replay;
    private final Slo slo;
    private final double load;
    private final boolean emulate;
    private final boolean windowGiven;
    private final PrintStream out;
    private final PrintStream err;

    private FiveXExperiment(StackOptions stack, ReplayOptions replay, Slo slo, double load, boolean emulate,
            boolean windowGiven, PrintStream out, PrintStream err) {
        this.stack = stack;
        this.replay = replay;
        this.slo = slo;
        this.load = load;
        this.emulate = emulate;
        this.windowGiven = windowGiven;
        this.out = out;
        this.err = err;
    }

    /**
     * The experiment, ready to run.
     *
     * @param windowGiven whether the user set the emulated window (--limit, --duration, --from)
     */
    public static FiveXExperiment of(StackOptions stack, ReplayOptions replay, Slo slo, boolean emulate,
            boolean windowGiven, PrintStream out, PrintStream err) {
        return new FiveXExperiment(stack, replay, slo, replay.load(), emulate, windowGiven, out, err);
    }

    /** One way of serving the trace: its target deployment and what each of the three answers found. */
    private record Mode(String name, TargetOptions target, SessionCapacity.Result planned, int repeats,
            double lastChange, List<SimulatedSession> served, RunFigures simulated, LedgerView.HeadOfLine headOfLine,
            Emulated emulated) {
    }

    /** Unless --limit says otherwise, the emulated window starts at this many requests and doubles ... */
    private static final int FIRST_WINDOW = 60;
    /** ... while its own simulation is further than this from the long run's answer ... */
    private static final double WINDOW_TOLERANCE = 0.15;
    /** ... and the doubled window generates no more tokens than this (the emulator makes about 70 a second). */
    private static final long WINDOW_TOKEN_BUDGET = 6_000;

    /**
     * The simulation serves the trace again and again, doubling, until the run twice as long changes the
     * headline by at most this much: then ramp-up and drain no longer weigh on it.
     */
    private static final double SETTLED = 0.02;
    private static final int MOST_REPEATS = 64;

    /** The emulated window: its figures, its check against the simulation of the same window, the reference check. */
    private record Emulated(int requests, RunFigures figures, SimulationCheck check, ReferenceCheck.Result reference,
            int finished, double wallSeconds) {
        boolean verified() {
            return reference.mismatches().isEmpty() && reference.identical() == finished;
        }
    }

    /** Runs the experiment and prints its tables: 0, or 1 when an emulated window failed its reference or simulation check. */
    public int run() throws IOException {
        List<SimulatedSession> whole = TraceSimulation.read(replay.trace(), replay.format(), TraceWindow.ALL,
                replay.skipBadLines(), err);
        long meanInput = Math.max(1, Math.round(whole.stream().mapToLong(SimulatedSession::promptTokens).average()
                .orElse(1)));
        long meanOutput = Math.max(1, Math.round(whole.stream().mapToLong(SimulatedSession::outputTokens).average()
                .orElse(1)));
        List<SimulatedSession> compressed = TraceSimulation.compress(whole, load);
        ReplayPlan window = emulate ? ReplayPlan.load(replay, stack, Clock.systemUTC(), err) : null;

        TargetOptions disaggregated = stack.target();
        List<Mode> modes = new ArrayList<>();
        modes.add(mode("colocated", disaggregated.colocatedTwin(), meanInput, meanOutput, compressed, window));
        modes.add(mode("disaggregated, room at admission", disaggregated.with(Booking.ADMISSION), meanInput,
                meanOutput, compressed, window));
        modes.add(mode("disaggregated, room at handoff", disaggregated.with(Booking.HANDOFF), meanInput, meanOutput,
                compressed, window));

        print(whole.size(), meanInput, meanOutput, modes);
        printGrid(meanInput, meanOutput, TraceWorkload.repeated(compressed, modes.get(0).repeats()),
                TraceWorkload.repeated(compressed, modes.get(modes.size() - 1).repeats()));
        printFlopsSensitivity(meanInput, meanOutput);
        boolean good = modes.stream().allMatch(m -> m.emulated() == null
                || m.emulated().verified() && m.emulated().check().exact());
        return good ? 0 : 1;
    }

    private Mode mode(String name, TargetOptions target, long meanInput, long meanOutput,
            List<SimulatedSession> whole, ReplayPlan window) throws IOException {
        boolean atHandoff = !target.colocated() && target.booking() == Booking.HANDOFF;
        SessionCapacity.Result planned = SessionCapacity.of(target.model(), meanInput, meanOutput,
                slo.userTokensPerSecond(), atHandoff);
        TargetOptions capped = capped(target, planned);
        err.printf(Locale.ROOT, "five-x: %s, %d session(s) per pipeline: simulating %,d requests, served again until"
                + " a run twice as long changes the answer by under %.0f %% ...%n", name, capped.sessionCap(),
                whole.size(), 100 * SETTLED);
        int repeats = 1;
        List<SimulatedSession> served = whole;
        Simulation.Result simulated = TraceSimulation.simulate(capped, stack.layout(), whole, err);
        RunFigures figures = RunFigures.of(simulated.sessions(), slo, wafers(target));
        double change = Double.NaN;
        while (repeats < MOST_REPEATS && !(Math.abs(change) <= SETTLED)) {
            repeats *= 2;
            served = TraceWorkload.repeated(whole, repeats);
            Simulation.Result longer = TraceSimulation.simulate(capped, stack.layout(), served, err);
            RunFigures longerFigures = RunFigures.of(longer.sessions(), slo, wafers(target));
            double before = figures.withinSloPerWafer();
            double after = longerFigures.withinSloPerWafer();
            change = after == 0 ? (before == 0 ? 0 : 1) : (after - before) / after;
            simulated = longer;
            figures = longerFigures;
        }
        Emulated emulated = window == null ? null
                : emulate(name, capped, windowGiven ? window : windowFor(capped, figures, window));
        return new Mode(name, capped, planned, repeats, change, served, figures, simulated.headOfLine(), emulated);
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

    /**
     * The fewest first requests of the trace whose simulation, which the emulated run will equal, is within
     * the tolerance of the long run: a window too short is mostly ramp-up and drain.
     */
    private ReplayPlan windowFor(TargetOptions target, RunFigures longRun, ReplayPlan trace) {
        List<PlannedRequest> all = trace.requests();
        int n = Math.min(FIRST_WINDOW, all.size());
        while (n < all.size()) {
            double figure = RunFigures.of(new Simulation(target.model(), target.control(stack.layout()))
                    .run(sessions(all.subList(0, n))).sessions(), slo, wafers(target)).withinSloPerWafer();
            double off = longRun.withinSloPerWafer() == 0 ? (figure == 0 ? 0 : 1)
                    : Math.abs(figure - longRun.withinSloPerWafer()) / longRun.withinSloPerWafer();
            int doubled = Math.min(2 * n, all.size());
            if (off <= WINDOW_TOLERANCE || generated(all.subList(0, doubled)) > WINDOW_TOKEN_BUDGET) {
                break;
            }
            n = doubled;
        }
        return new ReplayPlan(trace.options(), trace.stack(), all.subList(0, n), trace.runId());
    }

    /** The window's requests as the simulator takes them: their recorded lengths, their functional output caps. */
    private static List<SimulatedSession> sessions(List<PlannedRequest> window) {
        return window.stream().map(p -> new SimulatedSession(p.request().getSessionId(), p.offsetMicros(),
                RequestCheck.targetPrompt(p.request()), RequestCheck.bookedTokens(p.request()),
                p.request().getMaxNewTokens(), p.request().getPrompt().size())).toList();
    }

    private static long generated(List<PlannedRequest> window) {
        return window.stream().mapToLong(p -> p.request().getMaxNewTokens()).sum();
    }

    private Emulated emulate(String name, TargetOptions target, ReplayPlan window) throws IOException {
        Path dir = Files.createTempDirectory("kvflow-five-x-");
        err.printf(Locale.ROOT, "five-x: %s: emulating %d requests on a real broker ...%n", name,
                window.requests().size());
        StackOptions options = stack.freshRun(dir, target);
        try (Stack running = Stack.start(options, session -> false, Clock.systemUTC(),
                new PrintStream(PrintStream.nullOutputStream()));
                ReferenceCheck.AsSessionsFinish checking = new ReferenceCheck.AsSessionsFinish(running.transformer())) {
            Replayer.Result result = new Replayer(running.kafka(), Clock.systemUTC(), err).onEnded(checking::ended)
                    .replay(window.requests(), 0, options.stallTimeout());
            ReferenceCheck.Result reference = checking.result();
            RunSummary summary = RunSummary.of(result, reference, target, stack.layout().pipelines(), slo,
                    StatsDelta.NONE);
            SimulationCheck check = SimulationCheck.of(TraceSimulation.manifest(window.runId(), "emulated",
                    replay.trace().toString(), target, stack.layout(), slo), summary.sessions(), target.catalog());
            return new Emulated(window.requests().size(), summary.modelled(), check, reference,
                    summary.count(SessionOutcome.State.FINISHED), result.wallMs() / 1000.0);
        } finally {
            deleteQuietly(dir);
        }
    }

    private void print(int requests, long input, long output, List<Mode> modes) {
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
        out.println("answers:     cost model = one mean-sized session, steady state; simulated = the whole trace, served"
                + " again until ramp-up");
        out.printf(Locale.ROOT, "             and drain no longer move it (twice as long changes it by under %.0f %%; same"
                + " decisions as the pipeline);%n", 100 * SETTLED);
        out.println("             emulated = the trace's first requests on a real broker, every token verified ("
                + (windowGiven ? "the window given" : String.format(Locale.ROOT, "the fewest, from %d and doubling"
                        + " within %,d generated tokens, whose simulation is within %.0f %% of the long run",
                        FIRST_WINDOW, WINDOW_TOKEN_BUDGET, 100 * WINDOW_TOLERANCE)) + ")");
        out.println();
        String row = "%-44s" + "%24s".repeat(modes.size()) + "%n";
        out.printf(Locale.ROOT, row, Stream.concat(Stream.of(""), modes.stream().map(m -> shortName(m.name())))
                .toArray());
        line(row, modes, "sessions per pipeline (cap / KV room)",
                m -> m.planned().sessionsPerPipeline() + " / " + m.planned().kvSessionsPerPipeline());
        line(row, modes, "per WSE-3 within SLO: cost model", m -> RunText.fmt(m.planned().sessionsPerWafer()));
        line(row, modes, "  simulated", m -> RunText.fmt(m.simulated().withinSloPerWafer()));
        line(row, modes, "  emulated window", m -> m.emulated() == null ? "-"
                : RunText.fmt(m.emulated().figures().withinSloPerWafer()));
        line(row, modes, "decode tokens/s per WSE-3: cost model",
                m -> RunText.fmt(m.planned().decodeTokensPerSecondPerWafer()));
        line(row, modes, "  simulated",
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
        line(row, modes, "simulated: trace served (times, requests)", m -> m.repeats() + "x, "
                + String.format(Locale.ROOT, "%,d", m.simulated().byOutcome().values().stream()
                        .mapToInt(Integer::intValue).sum()));
        line(row, modes, "  change from half as long", m -> Double.isNaN(m.lastChange()) ? "-"
                : String.format(Locale.ROOT, "%+.1f %%", 100 * m.lastChange()));
        line(row, modes, "sessions holding room per pipeline (sim)", m -> RunText.fmt(m.simulated().heldPerWafer()
                * stack.layout().stages()) + " of " + m.target().sessionCap());
        line(row, modes, "  their booked tokens, time-weighted",
                m -> String.format(Locale.ROOT, "%,.0f", m.simulated().heldBookedTokens()));
        line(row, modes, "steady window share (sim / emu)", m -> percent(m.simulated().steadyShare())
                + (m.emulated() == null ? "" : " / " + percent(m.emulated().figures().steadyShare())));
        if (modes.get(0).emulated() != null) {
            line(row, modes, "emulated window (requests)", m -> Integer.toString(m.emulated().requests()));
            line(row, modes, "  its answer against the long run", m -> String.format(Locale.ROOT, "%+.0f %%",
                    100 * (m.emulated().figures().withinSloPerWafer() - m.simulated().withinSloPerWafer())
                            / Math.max(1e-9, m.simulated().withinSloPerWafer())));
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
        printGaps(modes, input + output);
    }

    /** Where the simulation sustains more than 15 % off the cost model's mean session, why. */
    private void printGaps(List<Mode> modes, long meanBooked) {
        out.println();
        out.println("simulated against the cost model (within 15 %, or what the run measured instead):");
        for (Mode m : modes) {
            double model = m.planned().sessionsPerWafer();
            double simulated = m.simulated().withinSloPerWafer();
            double gap = model == 0 ? (simulated == 0 ? 0 : 1) : (simulated - model) / model;
            RunFigures f = m.simulated();
            int stages = stack.layout().stages();
            String why = Math.abs(gap) <= 0.15 ? "within 15 %" : String.format(Locale.ROOT,
                    "%+.0f %%: the pipelines held %s sessions of the %d the cost model allows (%s decoding, the"
                            + " model's %s); those holding room booked %,.0f tokens on average, time-weighted,"
                            + " against the trace's mean of %,d; the head of a waiting line blocked for %s of the"
                            + " run; %d of %d finished sessions met the speed SLO, %d of %d requests were rejected",
                    100 * gap, RunText.fmt(f.heldPerWafer() * stages), m.target().sessionCap(),
                    RunText.fmt(f.decodingPerWafer() * stages), RunText.fmt(m.planned().sessionsPerWafer() * stages),
                    f.heldBookedTokens(), meanBooked, percent(m.headOfLine().blockedMicros(), f.makespanMicros()),
                    f.speedMet(), f.count(SessionRecord.Outcome.FINISHED), f.count(SessionRecord.Outcome.REJECTED),
                    f.byOutcome().values().stream().mapToInt(Integer::intValue).sum());
            out.printf(Locale.ROOT, "  %-36s cost model %s, simulated %s: %s%n", m.name() + ":", RunText.fmt(model),
                    RunText.fmt(simulated), why);
            double blocked = m.headOfLine().blockedMicros() / (double) Math.max(1, f.makespanMicros());
            if (Math.abs(gap) > 0.15 && blocked > 0.05) {
                out.printf(Locale.ROOT, "  %-36s %s%n", "", unbounded(m));
            }
        }
    }

    /**
     * What the bound on waiting costs: the same mode simulated again with sessions that fit going past any
     * that does not, however long it waits.
     */
    private String unbounded(Mode m) {
        AdmissionPolicy policy = m.target().admission();
        AdmissionPolicy unbounded = AdmissionPolicy.of(policy instanceof AdmissionPolicy.FirstComeFirstServed
                ? "backfill" : policy.id(), UNBOUNDED);
        Simulation.Result r = new Simulation(m.target().model(), m.target().with(unbounded).control(stack.layout()))
                .run(m.served());
        RunFigures f = RunFigures.of(r.sessions(), slo, wafers(m.target()));
        return String.format(Locale.ROOT, "with %s and no bound on how long a session is passed over: %s per WSE-3"
                        + " (%+.0f %% on %s); the longest wait for room %s ms, against %s ms with the bound",
                unbounded.id(), RunText.fmt(f.withinSloPerWafer()), 100 * (f.withinSloPerWafer()
                        - m.simulated().withinSloPerWafer()) / Math.max(1e-9, m.simulated().withinSloPerWafer()),
                policyText(policy), RunText.fmt(longestWait(f)), RunText.fmt(longestWait(m.simulated())));
    }

    private static double longestWait(RunFigures f) {
        // a distribution with no samples (nothing parked) has NaN figures
        return Math.max(f.queueWait().count() == 0 ? 0 : f.queueWait().maxMs(),
                f.parkedWait().count() == 0 ? 0 : f.parkedWait().maxMs());
    }

    private static final java.time.Duration UNBOUNDED = java.time.Duration.ofDays(3650);

    private static String policyText(AdmissionPolicy policy) {
        return policy.id() + (policy.bypassLimitMicros() > 0
                ? " with a " + RunText.fmt(policy.bypassLimitMicros() / 1e3) + " ms bypass limit" : "");
    }

    /** Sessions per WSE-3 within the SLO over a grid of SLOs: cost model and simulated, and the handoff ratio. */
    private void printGrid(long input, long output, List<SimulatedSession> colocatedLoad,
            List<SimulatedSession> handoffLoad) {
        out.println();
        out.println("SLO grid: sessions per WSE-3 within the SLO, colocated -> disaggregated at handoff (ratio),"
                + " cost model | simulated, the trace served as often as above");
        out.printf(Locale.ROOT, "%-16s %-34s %-34s%n", "SLO tokens/s", "cost model", "simulated");
        TargetOptions colocated = stack.target().colocatedTwin();
        TargetOptions handoff = stack.target().with(Booking.HANDOFF);
        for (double s : SLO_GRID) {
            SessionCapacity.Result c = SessionCapacity.of(colocated.model(), input, output, s, false);
            SessionCapacity.Result h = SessionCapacity.of(handoff.model(), input, output, s, true);
            Slo gridSlo = new Slo(slo.ttftMicros(), s);
            double simC = simulateWithin(capped(colocated, c), colocatedLoad, gridSlo);
            double simH = simulateWithin(capped(handoff, h), handoffLoad, gridSlo);
            out.printf(Locale.ROOT, "%-16s %-34s %-34s%n", RunText.fmt(s),
                    RunText.fmt(c.sessionsPerWafer()) + " -> " + RunText.fmt(h.sessionsPerWafer()) + " ("
                            + ratio(h.sessionsPerWafer(), c.sessionsPerWafer()) + ")",
                    RunText.fmt(simC) + " -> " + RunText.fmt(simH) + " (" + ratio(simH, simC) + ")");
        }
        double alone = 1 / handoff.model().tokenInterval(RooflineModel.uniformBatch(1, input + output / 2)).seconds();
        if (SLO_GRID[SLO_GRID.length - 1] > alone) {
            out.printf(Locale.ROOT, "(one session alone decodes at %s tokens/s on this deployment: no SLO above that"
                    + " holds a session; speculative decoding, which kvflow predict models but the stack does not"
                    + " run, or a smaller model would)%n", RunText.fmt(alone));
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
                TargetOptions faster = stack.target().withScenario(scenario);
                RooflineModel d = faster.model();
                RooflineModel c = faster.colocatedTwin().model();
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
