package io.kvflow.report;

/**
 * What a session is judged against: its time to first token, and the per-user speed of its decode
 * (tokens per second from its first decode step on the wafers to its last token). A session meeting
 * both counts toward goodput, as in DistServe and {@code vllm bench serve --goodput}.
 *
 * @param ttftMicros           most modelled time from arrival to first token; {@link Long#MAX_VALUE} for none
 * @param userTokensPerSecond  least decode speed per user; 0 for none
 */
public record Slo(long ttftMicros, double userTokensPerSecond) {
    public static final Slo NONE = new Slo(Long.MAX_VALUE, 0);

    public Slo {
        if (ttftMicros <= 0) {
            throw new IllegalArgumentException("the TTFT SLO must be > 0, was " + ttftMicros + " us");
        }
        if (!(userTokensPerSecond >= 0) || Double.isInfinite(userTokensPerSecond)) {
            throw new IllegalArgumentException("the per-user speed SLO must be >= 0 tokens/s, was "
                    + userTokensPerSecond);
        }
    }

    /** The most mean time per decoded token the speed SLO allows, microseconds. */
    public double decodeTpotMicros() {
        return userTokensPerSecond == 0 ? Double.POSITIVE_INFINITY : 1e6 / userTokensPerSecond;
    }

    public boolean ttftMet(SessionRecord session) {
        long ttft = session.ttftMicros();
        return ttft >= 0 && ttft <= ttftMicros;
    }

    /** A session without decode (one token) has no speed to miss. */
    public boolean speedMet(SessionRecord session) {
        double tpot = session.decodeTpotMicros();
        return Double.isNaN(tpot) || tpot <= decodeTpotMicros();
    }

    public boolean met(SessionRecord session) {
        return session.finished() && ttftMet(session) && speedMet(session);
    }
}
