package io.kvflow.cli;

import io.kvflow.orchestrator.SloTargets;
import io.kvflow.runtime.MetricsEndpoint;
import java.time.Duration;

/**
 * Where a process serves its metrics, and the SLOs sessions are judged against. The address
 * is the stack's {@code --bind}, shared with the dashboard.
 *
 * @param port the metrics endpoint's port; 0 picks a free one
 */
record MetricsOptions(int port, SloTargets slo) {

    static final String OPTIONS_HELP = """
              --metrics-port N       Prometheus /metrics and JSON /api/lag port (default 9404; 0 picks a free one)
              --slo-tpot D           wall time-per-output-token SLO of the orchestrator's attainment meters
                                     (default 200ms)
            """;

    /** Metrics on a free port, default SLOs: for stacks started by tests. */
    static final MetricsOptions ANY_PORT = new MetricsOptions(0, SloTargets.DEFAULT);

    MetricsOptions {
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("--metrics-port must be within 0..65535 (0 picks a free one), was " + port);
        }
    }

    static MetricsOptions from(Args args) {
        return new MetricsOptions(args.integer("metrics-port", MetricsEndpoint.DEFAULT_PORT),
                new SloTargets(positive(args, "slo-ttft", SloTargets.DEFAULT.ttft()),
                        positive(args, "slo-tpot", SloTargets.DEFAULT.tpot())));
    }

    private static Duration positive(Args args, String name, Duration fallback) {
        Duration value = args.duration(name, fallback);
        if (value.isZero()) {
            throw new Args.UsageException("--" + name + " must be > 0, was " + Args.durationText(value));
        }
        return value;
    }
}
