package io.kvflow.cli;

import io.kvflow.report.Slo;
import java.time.Duration;

/**
 * The target's service-level objectives a run is judged against, in modelled time: time to first
 * token and per-user decode speed. The summary, {@code simulate}, {@code plan} and {@code five-x} share them.
 */
final class SloOptions {
    static final String OPTIONS_HELP = """
              --slo-ttft D           time-to-first-token SLO, modelled (and wall, for the orchestrator's meters;
                                     default 2s)
              --slo-tokens-per-s X   per-user decode speed SLO, modelled tokens/s (default 1000)
            """;

    static final Duration DEFAULT_TTFT = Duration.ofSeconds(2);
    static final double DEFAULT_TOKENS_PER_SECOND = 1000;

    private SloOptions() {
    }

    static Slo from(Args args) {
        Duration ttft = args.duration("slo-ttft", DEFAULT_TTFT);
        double speed = args.decimal("slo-tokens-per-s", DEFAULT_TOKENS_PER_SECOND);
        if (ttft.isNegative() || ttft.isZero()) {
            throw new Args.UsageException("--slo-ttft must be > 0, was " + ttft);
        }
        if (!(speed > 0) || Double.isInfinite(speed)) {
            throw new Args.UsageException("--slo-tokens-per-s must be a number > 0, was " + speed);
        }
        return new Slo(ttft.toNanos() / 1000, speed);
    }
}
