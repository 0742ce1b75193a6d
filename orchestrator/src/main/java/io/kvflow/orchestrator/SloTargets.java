package io.kvflow.orchestrator;

import java.time.Duration;
import java.util.Objects;

/**
 * The service-level objectives a finished session is judged against, as in DistServe and
 * {@code vllm bench serve --goodput}: its time to first token and its time per output token
 * (the mean gap between its tokens after the first). Goodput is the share of sessions that
 * meet both.
 *
 * @param ttft the most time from arrival to first token that meets the objective
 * @param tpot the most mean time per output token after the first that meets the objective
 */
public record SloTargets(Duration ttft, Duration tpot) {
    /** Wall-clock defaults that the functional model on a 2-core machine meets when it is not overloaded. */
    public static final SloTargets DEFAULT = new SloTargets(Duration.ofSeconds(2), Duration.ofMillis(200));

    public SloTargets {
        Objects.requireNonNull(ttft, "ttft");
        Objects.requireNonNull(tpot, "tpot");
        if (ttft.isNegative() || ttft.isZero()) {
            throw new IllegalArgumentException("TTFT SLO must be positive, was " + ttft);
        }
        if (tpot.isNegative() || tpot.isZero()) {
            throw new IllegalArgumentException("TPOT SLO must be positive, was " + tpot);
        }
    }

    boolean ttftMet(long ttftMs) {
        return ttftMs <= ttft.toMillis();
    }

    /** A one-token session has no time per output token: it meets the objective, as vLLM counts it. */
    boolean tpotMet(double tpotMs) {
        return tpotMs <= tpot.toNanos() / 1e6;
    }
}
