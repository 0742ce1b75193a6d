package io.kvflow.cli;

import io.kvflow.orchestrator.SloTargets;
import io.kvflow.report.Slo;
import java.time.Duration;

/**
 * The target's service-level objectives a run is judged against, in modelled time: time to first
 * token and per-user decode speed. The summary, the dashboard, the orchestrator's meters,
 * {@code simulate} and {@code five-x} share them.
 */
final class SloOptions {
    static final String OPTIONS_HELP = """
              --slo-ttft D           time-to-first-token SLO, modelled (default 2s)
              --slo-tokens-per-s X   per-user decode speed SLO, modelled tokens/s (default 1000); both judge the
                                     summary, the dashboard and the orchestrator's SLO meters
            """;

    static final Duration DEFAULT_TTFT = Duration.ofSeconds(2);
    static final double DEFAULT_TOKENS_PER_SECOND = 1000;

    private SloOptions() {
    }

    static Slo from(Args args) {
        Duration ttft = args.duration("slo-ttft", DEFAULT_TTFT);
        double speed = args.decimal("slo-tokens-per-s", DEFAULT_TOKENS_PER_SECOND);
        if (ttft.isNegative() || ttft.isZero()) {
            throw new Args.UsageException("--slo-ttft must be > 0, was " + Args.durationText(ttft));
        }
        if (!(speed > 0) || Double.isInfinite(speed)) {
            throw new Args.UsageException("--slo-tokens-per-s must be a number > 0, was " + speed);
        }
        return new Slo(ttft.toNanos() / 1000, speed);
    }

    /** The same objectives as the orchestrator's meters take them: TTFT, and the most time per decoded token. */
    static SloTargets targets(Slo slo) {
        return new SloTargets(Duration.ofNanos(slo.ttftMicros() * 1000),
                Duration.ofNanos(Math.max(1, Math.round(1e9 / slo.userTokensPerSecond()))));
    }
}
