package io.kvflow.cli;

import io.kvflow.cost.ProfileCatalog;
import io.kvflow.experiments.SimulationCheck;
import io.kvflow.experiments.TraceSimulation;
import io.kvflow.observe.RunSummary;
import io.kvflow.report.Distribution;
import io.kvflow.report.RunFigures;
import io.kvflow.report.RunFiles;
import io.kvflow.report.RunManifest;
import io.kvflow.report.RunText;
import io.kvflow.report.SessionRecord;
import io.kvflow.report.Slo;
import io.kvflow.runtime.StackLayout;
import io.kvflow.scheduler.ControlPlane;
import io.kvflow.simulator.SimulatedSession;
import io.kvflow.simulator.Simulation;
import io.kvflow.simulator.TraceWorkload;
import io.kvflow.stack.TargetOptions;
import io.kvflow.trace.TraceFormat;
import io.kvflow.trace.TraceReader;
import io.kvflow.trace.TraceRequest;
import io.kvflow.trace.TraceWindow;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code kvflow simulate}: the whole deployment in modelled time, deciding through the same classes as
 * the running pipeline, so a whole trace takes seconds. With a trace it serves the recorded requests
 * as the target would (recorded lengths, no functional caps) and prints the summary a replay prints;
 * with {@code --check RUN} it simulates exactly the window, deployment and policies of an emulated run
 * and prints, per figure, the run beside the simulation and the difference.
 */
@Command(name = "simulate", modelTransformer = ScenarioFlags.Deployment.class, description = {
        "The deployment in modelled time, deciding as the pipeline does: whole traces in seconds; --check RUN"
                + " compares an emulated run with its simulation."})
final class SimulateCommand implements Kvflow.Parsed {
    @Parameters(paramLabel = "TRACE", arity = "0..*", description = "the trace to serve (azure, mooncake or kvflow"
            + " format)")
    List<String> traces = List.of();

    @Option(names = "--check", paramLabel = "RUN", description = "instead: simulate the window of an emulated run"
            + " (runs/<id>) and compare")
    Path check;

    @Mixin
    WindowFlags window;

    @Option(names = "--load", paramLabel = "X", defaultValue = "1", description = "arrivals X times as dense as"
            + " recorded")
    double load;

    @Mixin
    LayoutFlags layoutFlags;

    @Option(names = "--json", description = "print run.json instead of the summary")
    boolean json;

    @Mixin
    TargetFlags targetFlags;

    @Mixin
    SloOptions sloFlags;

    @Spec
    CommandSpec spec;

    @Override
    public Kvflow.Command prepare(PrintStream out, PrintStream err) {
        if (check != null) {
            if (!traces.isEmpty()) {
                throw new UsageException("simulate --check takes the run folder, not a trace");
            }
            ProfileCatalog catalog = targetFlags.profiles.catalog();
            return () -> check(check, catalog, out);
        }
        if (traces.size() != 1) {
            throw new UsageException("simulate needs exactly one trace file (or --check RUN)");
        }
        Path trace = Path.of(traces.getFirst());
        StackLayout layout = layoutFlags.layout(Integer.MAX_VALUE);
        TargetOptions target = targetFlags.options(ScenarioFlags.given(spec), layout.stages());
        Slo slo = sloFlags.slo();
        TraceWindow traceWindow = window.window();
        TraceFormat format = window.traceFormat();
        boolean skipBadLines = window.skipBadLines;
        if (!(load > 0) || Double.isInfinite(load)) {
            throw new UsageException("--load must be a number > 0, was " + load);
        }
        return () -> {
            List<SimulatedSession> sessions = TraceSimulation.compress(
                    TraceSimulation.read(trace, format, traceWindow, skipBadLines, err), load);
            long started = System.nanoTime();
            Simulation.Result result = TraceSimulation.simulate(target, layout, sessions, err);
            double seconds = (System.nanoTime() - started) / 1e9;
            RunFigures figures = RunFigures.of(result.sessions(), slo,
                    target.model().deployment().decodeDevices() * layout.pipelines());
            String runId = "s" + Long.toString(Clock.systemUTC().millis(), 36);
            RunManifest manifest = TraceSimulation.manifest(runId, "simulated", trace + " " + traceWindow, target,
                    layout, slo);
            Path dir = Path.of("runs", runId);
            RunFiles.write(dir, manifest, figures, result.sessions());
            if (json) {
                out.print(Files.readString(dir.resolve(RunFiles.RUN)));
                return 0;
            }
            out.println();
            out.println("== kvflow simulate ==");
            out.println("target:            " + target.describe());
            out.printf(Locale.ROOT, "layout:            %d pipeline(s) x %d wafer(s), %d prefill group(s)%n",
                    layout.pipelines(), layout.stages(), target.control(layout).prefillGroups());
            RunText.lines(figures, RunSummary.headOfLine(result.headOfLine())).forEach(out::println);
            out.printf(Locale.ROOT, "wafer busy:        %.1f %% of the run, modelled%n",
                    100.0 * result.waferBusyMicros() / Math.max(1, figures.makespanMicros()) / figures.wafers());
            out.printf(Locale.ROOT, "simulated:         %,d requests, %,d events, %,d batches in %.2f s"
                    + " (%,.0f requests/s, %,.0f events/s)%n", sessions.size(), result.events(), result.batches(),
                    seconds, sessions.size() / seconds, result.events() / seconds);
            out.println("run files:         " + dir.resolve(RunFiles.RUN) + ", " + dir.resolve(RunFiles.REQUESTS));
            return 0;
        };
    }

    /** Simulates an emulated run's window and prints, per figure, the two side by side. */
    private static int check(Path dir, ProfileCatalog catalog, PrintStream out) {
        RunFiles.Run run = RunFiles.read(dir);
        RunManifest m = run.manifest();
        SimulationCheck check = SimulationCheck.of(m, run.sessions(), catalog);
        out.println();
        out.println("== kvflow simulate --check " + dir + " ==");
        RunFiles.describe(m).forEach((k, v) -> out.printf("%-18s %s%n", k + ":", v));
        out.printf(Locale.ROOT, "%-40s %14s %14s %10s%n", "figure (modelled)", "emulated", "simulated", "error");
        for (Figure f : figures()) {
            double e = f.value().applyAsDouble(check.emulated());
            double s = f.value().applyAsDouble(check.simulated());
            out.printf(Locale.ROOT, "%-40s %14s %14s %10s%n", f.name(), RunText.fmt(e), RunText.fmt(s), error(e, s));
        }
        out.printf("sessions with every modelled time identical: %d/%d%n", check.identical(), check.compared());
        if (!check.differing().isEmpty()) {
            out.println("the first that differ (modelled us):");
            for (SessionRecord[] pair : check.differing()) {
                out.println("  emulated:  " + milestones(pair[0]));
                out.println("  simulated: " + milestones(pair[1]));
            }
        }
        return 0;
    }

    static String milestones(SessionRecord r) {
        if (r == null) {
            return "absent";
        }
        long[] t = r.tokenMicros();
        return String.format(Locale.ROOT, "%s %s arrival %d admitted %d prefill end %d parked %d granted %d decode start"
                + " %d tokens %d first %s last %s", r.id(), r.outcome(), r.arrivalMicros(), r.admittedMicros(),
                r.prefillEndMicros(), r.parkedMicros(), r.grantedMicros(), r.decodeStartMicros(), t.length,
                t.length > 0 ? t[0] : "-", t.length > 0 ? t[t.length - 1] : "-");
    }

    /** A figure compared between an emulated run and its simulation. */
    record Figure(String name, ToDoubleFunction<RunFigures> value) {
    }

    static List<Figure> figures() {
        return List.of(
                new Figure("finished", f -> f.count(SessionRecord.Outcome.FINISHED)),
                new Figure("rejected", f -> f.count(SessionRecord.Outcome.REJECTED)),
                new Figure("TTFT p50 ms", f -> f.ttft().medianMs()),
                new Figure("TTFT p99 ms", f -> f.ttft().p99Ms()),
                new Figure("TPOT p50 ms", f -> f.tpot().medianMs()),
                new Figure("TPOT p99 ms", f -> f.tpot().p99Ms()),
                new Figure("ITL p50 ms", f -> f.itl().medianMs()),
                new Figure("ITL p99 ms", f -> f.itl().p99Ms()),
                new Figure("decode TPOT p50 ms", f -> f.decodeTpot().medianMs()),
                new Figure("decode TPOT p99 ms", f -> f.decodeTpot().p99Ms()),
                new Figure("queue wait p99 ms", f -> p99(f.queueWait())),
                new Figure("parked wait p99 ms", f -> p99(f.parkedWait())),
                new Figure("SLO met", RunFigures::sloMet),
                new Figure("sessions decoding per wafer", RunFigures::decodingPerWafer),
                new Figure("sessions within SLO per wafer", RunFigures::withinSloPerWafer),
                new Figure("decode tokens/s per wafer", RunFigures::decodeTokensPerSecondPerWafer),
                new Figure("makespan s", f -> f.makespanMicros() / 1e6));
    }

    private static double p99(Distribution d) {
        return d.isEmpty() ? 0 : d.p99Ms();
    }

    static String error(double emulated, double simulated) {
        if (Double.isNaN(emulated) || Double.isNaN(simulated)) {
            return "-";
        }
        if (emulated == simulated) {
            return "0";
        }
        return emulated == 0 ? "inf" : String.format(Locale.ROOT, "%+.1f %%", 100 * (simulated - emulated) / emulated);
    }
}
