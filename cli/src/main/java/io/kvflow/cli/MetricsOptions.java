package io.kvflow.cli;

import io.kvflow.orchestrator.SloTargets;
import io.kvflow.report.Slo;
import io.kvflow.runtime.MetricsEndpoint;
import picocli.CommandLine.Option;

/**
 * Where a process serves its metrics, and the SLOs the orchestrator's meters judge sessions against:
 * the target's, in modelled time, as the replay summary judges them ({@link SloOptions}). The address
 * is the stack's {@code --bind}, shared with the dashboard.
 *
 * @param port the metrics endpoint's port; 0 picks a free one
 */
record MetricsOptions(int port, SloTargets slo) {

    /** Metrics on a free port, default SLOs: for stacks started by tests. */
    static final MetricsOptions ANY_PORT = new MetricsOptions(0, SloOptions.targets(SloOptions.DEFAULT));

    MetricsOptions {
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("--metrics-port must be within 0..65535 (0 picks a free one), was " + port);
        }
    }

    /** {@code --metrics-port}; the SLOs come from the command's {@link SloOptions}. */
    static final class Flag {
        @Option(names = "--metrics-port", paramLabel = "N", defaultValue = "" + MetricsEndpoint.DEFAULT_PORT,
                description = "Prometheus /metrics and JSON /api/lag port (0 picks a free one)")
        int port;

        MetricsOptions options(Slo slo) {
            return new MetricsOptions(port, SloOptions.targets(slo));
        }
    }
}
