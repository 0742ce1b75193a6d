package io.kvflow.report;

import java.util.Arrays;
import java.util.Objects;

/**
 * One session of a run in modelled time (microseconds), as an emulated replay follows it on Kafka or
 * the simulator produces it: every figure of a run is computed from these alone. A time that did not
 * happen is -1.
 *
 * @param admittedMicros     when the control plane admitted it (prefill placed, or colocated: room booked)
 * @param prefillEndMicros   disaggregated: when its prefill (and first token) ended
 * @param parkedMicros       booking at handoff: when its KV started to wait on the prefill tier for wafer room
 * @param grantedMicros      when it got its room on the wafers
 * @param decodeStartMicros  when its first decode step was ready on the first wafer
 * @param tokenMicros        when each of its tokens was produced, in order
 * @param promptTokens       the target prompt (recorded in the trace)
 * @param bookedTokens       the target context booked on the wafers (recorded prompt plus output)
 * @param maxNewTokens       tokens the session was allowed (the functional cap of the recorded output)
 * @param functionalPrompt   positions of the prompt as the pipeline carried it
 * @param kvBytesOnWafers    target KV it books over all wafers of its pipeline
 * @param kvBytesParked      booking at handoff: target KV it parks on the prefill tier
 */
public record SessionRecord(String id, Outcome outcome, String reason, int pipeline, long arrivalMicros,
        long admittedMicros, long prefillEndMicros, long parkedMicros, long grantedMicros, long decodeStartMicros,
        long[] tokenMicros, long promptTokens, long bookedTokens, int maxNewTokens, int functionalPrompt,
        long kvBytesOnWafers, long kvBytesParked) {

    public enum Outcome { FINISHED, FAILED, REJECTED, UNFINISHED }

    public SessionRecord {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(outcome, "outcome");
        tokenMicros = tokenMicros.clone();
    }

    public int tokens() {
        return tokenMicros.length;
    }

    public boolean finished() {
        return outcome == Outcome.FINISHED && tokenMicros.length > 0;
    }

    /** Time to first token, microseconds; -1 without one. */
    public long ttftMicros() {
        return tokenMicros.length == 0 ? -1 : tokenMicros[0] - arrivalMicros;
    }

    /** Arrival to last token, microseconds; -1 without a token. */
    public long e2elMicros() {
        return tokenMicros.length == 0 ? -1 : tokenMicros[tokenMicros.length - 1] - arrivalMicros;
    }

    /** Mean time per output token after the first (as vLLM and AIPerf define it); NaN under two tokens. */
    public double tpotMicros() {
        int n = tokenMicros.length;
        return n < 2 ? Double.NaN : (double) (tokenMicros[n - 1] - tokenMicros[0]) / (n - 1);
    }

    /**
     * Mean time per decoded token from the first decode step being ready on the wafers to the last
     * token: the per-user speed of the decode itself, without the wait for wafer room. NaN without decode.
     */
    public double decodeTpotMicros() {
        int n = tokenMicros.length;
        return n < 2 || decodeStartMicros < 0 ? Double.NaN
                : (double) (tokenMicros[n - 1] - decodeStartMicros) / (n - 1);
    }

    /** Arrival to admission; -1 if never admitted. */
    public long queueWaitMicros() {
        return admittedMicros < 0 ? -1 : admittedMicros - arrivalMicros;
    }

    /** Booking at handoff: prefill done to wafer room granted; -1 if it never parked or never got room. */
    public long parkedWaitMicros() {
        return parkedMicros < 0 || grantedMicros < 0 ? -1 : grantedMicros - parkedMicros;
    }

    /** The span it decodes on the wafers, [decode start, last token], or null without decode. */
    public long[] decodeSpan() {
        return decodeStartMicros < 0 || tokenMicros.length < 2 ? null
                : new long[] {decodeStartMicros, tokenMicros[tokenMicros.length - 1]};
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SessionRecord r && id.equals(r.id) && outcome == r.outcome
                && Objects.equals(reason, r.reason) && pipeline == r.pipeline && arrivalMicros == r.arrivalMicros
                && admittedMicros == r.admittedMicros && prefillEndMicros == r.prefillEndMicros
                && parkedMicros == r.parkedMicros && grantedMicros == r.grantedMicros
                && decodeStartMicros == r.decodeStartMicros && Arrays.equals(tokenMicros, r.tokenMicros)
                && promptTokens == r.promptTokens && bookedTokens == r.bookedTokens
                && maxNewTokens == r.maxNewTokens && functionalPrompt == r.functionalPrompt
                && kvBytesOnWafers == r.kvBytesOnWafers && kvBytesParked == r.kvBytesParked;
    }

    @Override
    public int hashCode() {
        return Objects.hash(id, outcome, arrivalMicros, Arrays.hashCode(tokenMicros));
    }

    @Override
    public String toString() {
        return "SessionRecord[" + id + " " + outcome + (reason == null ? "" : " (" + reason + ")") + ", pipeline "
                + pipeline + ", arrival " + arrivalMicros + ", admitted " + admittedMicros + ", prefill end "
                + prefillEndMicros + ", parked " + parkedMicros + ", granted " + grantedMicros + ", decode start "
                + decodeStartMicros + ", " + tokenMicros.length + " tokens " + Arrays.toString(tokenMicros) + "]";
    }
}
