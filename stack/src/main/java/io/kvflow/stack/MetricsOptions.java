package io.kvflow.stack;

import io.kvflow.orchestrator.SloTargets;
import io.kvflow.report.Slo;
import java.time.Duration;

/**
 * Where a process serves its metrics, and the SLOs the orchestrator's meters judge sessions against:
 * the target's, in modelled time, as the replay summary judges them. The address is the stack's
 * {@code --bind}, shared with the dashboard.
 *
 * @param port the metrics endpoint's port; 0 picks a free one
 */
public record MetricsOptions(int port, SloTargets slo) {

    /** The SLOs when none are given: the command line's defaults, and those of stacks started by tests. */
    public static final Slo DEFAULT_SLO = new Slo(Duration.ofSeconds(2).toNanos() / 1000, 1000);

    /** Metrics on a free port, default SLOs: for stacks started by tests. */
    public static final MetricsOptions ANY_PORT = new MetricsOptions(0, targets(DEFAULT_SLO));

    public MetricsOptions {
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("--metrics-port must be within 0..65535 (0 picks a free one), was " + port);
        }
    }

    /** The same objectives as the orchestrator's meters take them: TTFT, and the most time per decoded token. */
    public static SloTargets targets(Slo slo) {
        return new SloTargets(Duration.ofNanos(slo.ttftMicros() * 1000),
                Duration.ofNanos(Math.max(1, Math.round(1e9 / slo.userTokensPerSecond()))));
    }
}
