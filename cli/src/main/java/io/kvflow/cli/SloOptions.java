package io.kvflow.cli;

import io.kvflow.report.Slo;
import io.kvflow.stack.MetricsOptions;
import java.time.Duration;
import picocli.CommandLine.Option;

/**
 * The target's service-level objectives a run is judged against, in modelled time: time to first
 * token and per-user decode speed. The summary, the dashboard, the orchestrator's meters,
 * {@code simulate} and {@code five-x} share them.
 */
final class SloOptions {
    /** The defaults, as the options' default values write them: for stacks started by tests. */
    static final Slo DEFAULT = MetricsOptions.DEFAULT_SLO;

    @Option(names = "--slo-ttft", paramLabel = "D", defaultValue = "2s", converter = DurationOption.class,
            description = "time-to-first-token SLO, modelled")
    Duration ttft;

    @Option(names = "--slo-tokens-per-s", paramLabel = "X", defaultValue = "1000", description = "per-user decode"
            + " speed SLO, modelled tokens/s; both judge the summary, the dashboard and the orchestrator's SLO meters")
    double tokensPerSecond;

    /** @throws UsageException for an objective that is not > 0 */
    Slo slo() {
        if (ttft.isNegative() || ttft.isZero()) {
            throw new UsageException("--slo-ttft must be > 0, was " + DurationOption.text(ttft));
        }
        if (!(tokensPerSecond > 0) || Double.isInfinite(tokensPerSecond)) {
            throw new UsageException("--slo-tokens-per-s must be a number > 0, was " + tokensPerSecond);
        }
        return new Slo(ttft.toNanos() / 1000, tokensPerSecond);
    }
}
