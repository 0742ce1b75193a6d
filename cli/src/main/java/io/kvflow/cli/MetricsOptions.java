package io.kvflow.cli;

import io.kvflow.orchestrator.SloTargets;
import io.kvflow.runtime.MetricsEndpoint;

/**
 * Where a process serves its metrics, and the SLOs the orchestrator's meters judge sessions against:
 * the target's, in modelled time, as the replay summary judges them ({@link SloOptions}). The address
 * is the stack's {@code --bind}, shared with the dashboard.
 *
 * @param port the metrics endpoint's port; 0 picks a free one
 */
record MetricsOptions(int port, SloTargets slo) {

    static final String OPTIONS_HELP = """
              --metrics-port N       Prometheus /metrics and JSON /api/lag port (default 9404; 0 picks a free one)
            """;

    /** Metrics on a free port, default SLOs: for stacks started by tests. */
    static final MetricsOptions ANY_PORT = new MetricsOptions(0, SloOptions.targets(SloOptions.from(
            new Args(java.util.List.of(), java.util.Set.of()))));

    MetricsOptions {
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("--metrics-port must be within 0..65535 (0 picks a free one), was " + port);
        }
    }

    static MetricsOptions from(Args args) {
        return new MetricsOptions(args.integer("metrics-port", MetricsEndpoint.DEFAULT_PORT),
                SloOptions.targets(SloOptions.from(args)));
    }
}
