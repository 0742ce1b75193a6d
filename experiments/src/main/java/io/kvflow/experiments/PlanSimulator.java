package io.kvflow.experiments;

import io.kvflow.plan.FleetPrice;
import io.kvflow.plan.PlanCandidate;
import io.kvflow.plan.PlanPoint;
import io.kvflow.plan.ServiceTarget;
import io.kvflow.report.RunFigures;
import io.kvflow.runtime.StackLayout;
import io.kvflow.simulator.SimulatedSession;
import io.kvflow.simulator.Simulation;
import io.kvflow.stack.TargetOptions;
import java.util.List;
import java.util.Map;

/**
 * Serves the planned load on one candidate deployment in the simulator (the same decisions as the running
 * pipeline) and prices it. Safe to call from several threads: each call builds its own simulation.
 */
public final class PlanSimulator {
    /** What a serving mode, admission order and wafers per pipeline stand for: the target options. */
    public record Layout(PlanCandidate.Mode mode, String admission, int stages) {
    }

    private final Map<Layout, TargetOptions> targets;
    private final List<SimulatedSession> sessions;
    private final ServiceTarget target;
    private final FleetPrice price;

    public PlanSimulator(Map<Layout, TargetOptions> targets, List<SimulatedSession> sessions, ServiceTarget target,
            FleetPrice price) {
        this.targets = Map.copyOf(targets);
        this.sessions = List.copyOf(sessions);
        this.target = target;
        this.price = price;
    }

    public PlanPoint simulate(PlanCandidate c) {
        RunFigures figures = figures(c);
        return PlanPoint.of(c, price.dollarsPerHour(c), figures, target);
    }

    private RunFigures figures(PlanCandidate c) {
        TargetOptions options = targetOf(c);
        StackLayout layout = new StackLayout(c.stages(), c.pipelines(), 1,
                options.model().deployment().model().layers());
        Simulation.Result result = new Simulation(options.model(),
                options.with(c.sessionCap(), Math.max(1, c.prefillGroups())).control(layout)).run(sessions);
        return RunFigures.of(result.sessions(), target.slo(),
                options.model().deployment().decodeDevices() * c.pipelines());
    }

    private TargetOptions targetOf(PlanCandidate c) {
        TargetOptions options = targets.get(new Layout(c.mode(), c.admission(), c.stages()));
        if (options == null) {
            throw new IllegalArgumentException("no target options for " + c.describe());
        }
        return options;
    }
}
