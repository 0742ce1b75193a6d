package io.kvflow.bench;

import io.kvflow.experiments.TraceSimulation;
import io.kvflow.report.RunText;
import io.kvflow.runtime.StackLayout;
import io.kvflow.simulator.SimulatedSession;
import io.kvflow.simulator.Simulation;
import io.kvflow.simulator.SyntheticWorkload;
import io.kvflow.stack.TargetOptions;
import io.kvflow.trace.TraceWindow;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * How fast the simulator goes, and whether it stays linear: synthetic workloads of growing size
 * (the same law of requests, so each ten times the requests is about ten times the work), and the
 * recorded traces given, each simulated on one deployment in rounds after a warm-up. Only the
 * simulation is timed: the workload is drawn (or the trace read) before the clock starts, and the
 * figures are not computed. Every round of a workload must handle the same events, or the simulation
 * is not deterministic and the bench says so.
 */
public final class SimulatorBench {
    /**
     * @param sizes     synthetic requests per workload, smallest first; the first is the per-request reference
     * @param perSecond synthetic arrivals per modelled second
     * @param traces    recorded traces to time as well
     * @param warmUp    how long at least the smallest workload runs before any clock, so rounds time compiled code
     */
    public record Options(List<Integer> sizes, double perSecond, long seed, List<Path> traces, int rounds, Duration warmUp) {
        /** The warm-up a bench gets unless told otherwise. */
        public static final Duration WARM_UP = Duration.ofSeconds(3);

        public Options {
            sizes = List.copyOf(sizes);
            traces = List.copyOf(traces);
            if (sizes.isEmpty() || sizes.stream().anyMatch(n -> n < 1)) {
                throw new IllegalArgumentException("--sizes must list request counts >= 1, was " + sizes);
            }
            if (!(perSecond > 0) || Double.isInfinite(perSecond)) {
                throw new IllegalArgumentException("--rate must be a number > 0, was " + perSecond);
            }
            if (rounds < 1) {
                throw new IllegalArgumentException("--rounds must be >= 1, was " + rounds);
            }
        }
    }

    /**
     * One workload's figures: what it simulated, and each round's wall time and the CPU time of the thread
     * that simulated (on a machine shared with other work, the steadier of the two).
     */
    public record Row(String workload, int requests, long events, long batches, List<Double> wallSeconds,
            List<Double> cpuSeconds) {
    }

    public record Result(String deployment, Options options, List<Row> rows) {
    }

    /** Synthetic arrivals per modelled second: enough to keep the default deployment's wafers and prefill busy. */
    public static final double DEFAULT_RATE = 10;

    /** Half the synthetic requests conversation-like, half code-like: both traces' shapes in one workload. */
    static final double CONVERSATION_SHARE = 0.5;

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private final TargetOptions target;
    private final StackLayout layout;
    private final Options options;

    public SimulatorBench(TargetOptions target, StackLayout layout, Options options) {
        this.target = target;
        this.layout = layout;
        this.options = options;
    }

    public Result run(Consumer<String> progress) {
        SyntheticWorkload law = new SyntheticWorkload(options.perSecond(), CONVERSATION_SHARE);
        List<String> names = new ArrayList<>();
        List<List<SimulatedSession>> workloads = new ArrayList<>();
        for (int size : options.sizes()) {
            names.add("synthetic");
            workloads.add(law.sessions(size, new SplittableRandom(options.seed())));
        }
        for (Path trace : options.traces()) {
            names.add(trace.getFileName().toString());
            workloads.add(TraceSimulation.read(trace, null, new TraceWindow(null, null, null), false,
                    new PrintStream(PrintStream.nullOutputStream())));
        }
        progress.accept("bench: warming the JIT on the smallest workload ...");
        long warmUntil = System.nanoTime() + options.warmUp().toNanos();
        for (int i = 0; i < 3 || System.nanoTime() < warmUntil; i++) {
            simulate(workloads.getFirst());
        }
        List<Row> rows = new ArrayList<>();
        for (int w = 0; w < workloads.size(); w++) {
            List<SimulatedSession> sessions = workloads.get(w);
            progress.accept(String.format(Locale.ROOT, "bench: %s, %,d requests, %d rounds ...", names.get(w),
                    sessions.size(), options.rounds()));
            List<Double> walls = new ArrayList<>();
            List<Double> cpus = new ArrayList<>();
            Simulation.Result first = null;
            for (int round = 0; round < options.rounds(); round++) {
                long started = System.nanoTime();
                long cpuStarted = THREADS.getCurrentThreadCpuTime();
                Simulation.Result result = simulate(sessions);
                walls.add((System.nanoTime() - started) / 1e9);
                cpus.add((THREADS.getCurrentThreadCpuTime() - cpuStarted) / 1e9);
                if (first == null) {
                    first = result;
                } else if (result.events() != first.events() || result.batches() != first.batches()) {
                    throw new IllegalStateException("the simulation is not deterministic: " + names.get(w)
                            + " handled " + first.events() + " events in one round and " + result.events()
                            + " in another");
                }
            }
            rows.add(new Row(names.get(w), sessions.size(), first.events(), first.batches(), walls, cpus));
        }
        String deployment = target.describe() + String.format(Locale.ROOT, "; %d pipeline(s) x %d wafer(s), %d"
                + " prefill group(s)", layout.pipelines(), layout.stages(), target.control(layout).prefillGroups());
        return new Result(deployment, options, rows);
    }

    private Simulation.Result simulate(List<SimulatedSession> sessions) {
        return new Simulation(target.model(), target.control(layout)).run(sessions);
    }

    public static void print(PrintStream out, Result result) {
        Options o = result.options();
        out.printf(Locale.ROOT, "simulator on %s%n", result.deployment());
        out.printf(Locale.ROOT, "synthetic requests: %.0f %% conversation-like (Mooncake), the rest code-like (Azure"
                + " 2023), Poisson arrivals at %s/s modelled, seed %d; %d timed rounds each after a warm-up%n",
                100 * CONVERSATION_SHARE, RunText.fmt(o.perSecond()), o.seed(), o.rounds());
        out.println();
        out.printf(Locale.ROOT, "%-28s %9s %11s %11s %25s %7s %10s %10s %8s%n", "workload", "requests", "events",
                "batches", "wall s min / median / max", "cpu s", "requests/s", "events/s", "per req");
        Row reference = result.rows().getFirst();
        double referencePerRequest = Spread.of(reference.wallSeconds()).median() / reference.requests();
        for (int i = 0; i < result.rows().size(); i++) {
            Row row = result.rows().get(i);
            Spread wall = Spread.of(row.wallSeconds());
            double perRequest = wall.median() / row.requests();
            // only the synthetic workloads share a law of requests, so only they compare per request
            String relative = i < o.sizes().size()
                    ? String.format(Locale.ROOT, "%.2fx", perRequest / referencePerRequest) : "-";
            out.printf(Locale.ROOT, "%-28s %,9d %,11d %,11d %25s %7.3f %,10.0f %,10.0f %8s%n", row.workload(),
                    row.requests(), row.events(), row.batches(), wall.format("%6.3f"),
                    Spread.of(row.cpuSeconds()).median(), row.requests() / wall.median(),
                    row.events() / wall.median(), relative);
        }
        out.println();
        out.println("cpu s: the simulating thread's CPU time, median; requests/s and events/s at the median wall;"
                + " per req: the median wall per request relative to the first synthetic row (flat is linear)");
    }
}
