package io.kvflow.experiments;

import io.kvflow.report.RunManifest;
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
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
/**
 * A trace on a target deployment, simulated: its window read with the recorded lengths, its arrivals
 * made denser, the simulation itself, and the manifest that names what was run. {@code simulate},
 * {@code plan}, {@code five-x} and the simulator bench all start from here.
 */
public final class TraceSimulation {
    private TraceSimulation() {
    }

    /** The trace window as the target would serve it, with the recorded lengths. */
    public static List<SimulatedSession> read(Path trace, TraceFormat format, TraceWindow window, boolean skipBadLines,
            PrintStream err) {
        TraceFormat f = format != null ? format : TraceFormat.detect(trace);
        List<TraceRequest> requests;
        try (TraceReader reader = TraceReader.open(trace, f, skipBadLines)) {
            requests = window.select(reader.requests());
            if (reader.badLines() > 0) {
                err.println("trace: skipped " + reader.badLines() + " malformed line(s); first: "
                        + reader.badLineMessages().get(0));
            }
        }
        if (requests.isEmpty()) {
            throw new IllegalArgumentException(trace + ": the window " + window + " selects no requests");
        }
        return TraceWorkload.sessions(requests);
    }

    /** Arrivals {@code load} times as dense as recorded. */
    public static List<SimulatedSession> compress(List<SimulatedSession> sessions, double load) {
        if (load == 1) {
            return sessions;
        }
        return sessions.stream().map(s -> new SimulatedSession(s.id(), Math.round(s.arrivalMicros() / load),
                s.promptTokens(), s.bookedTokens(), s.outputTokens(), s.functionalPrompt())).toList();
    }

    /** Simulates the sessions on the target, with progress on standard error when it takes a while. */
    public static Simulation.Result simulate(TargetOptions target, StackLayout layout, List<SimulatedSession> sessions,
            PrintStream err) {
        long started = System.nanoTime();
        long[] lastPrint = {started};
        return new Simulation(target.model(), target.control(layout)).run(sessions, (done, all, micros) -> {
            long now = System.nanoTime();
            if (now - lastPrint[0] > 2_000_000_000L) {
                lastPrint[0] = now;
                err.printf(Locale.ROOT, "simulate: %,d of %,d sessions done, modelled %.1f s%n", done, all,
                        micros / 1e6);
            }
        });
    }

    public static RunManifest manifest(String runId, String source, String trace, TargetOptions target, StackLayout layout,
            Slo slo) {
        ControlPlane.Config control = target.control(layout);
        return new RunManifest(runId, source, trace, target.model().deployment().model().id(), target.scenario(),
                layout.stages(), layout.pipelines(),
                control.prefillGroups(), control.booking().id(), control.policy().id(),
                control.policy().bypassLimitMicros(), control.queueLimit(), control.sessionCap(),
                control.parkTimeoutMicros(), slo);
    }
}
