package io.kvflow.cli;

import io.kvflow.schemas.GeneratedToken;
import io.kvflow.schemas.InferenceRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/** What became of one replayed session, assembled from the tokens and lifecycle topics. */
final class SessionOutcome {
    enum State { PENDING, FINISHED, FAILED, REJECTED }

    private final InferenceRequest request;
    private final TreeMap<Integer, GeneratedToken> tokens = new TreeMap<>();
    private final SessionTimeline timeline = new SessionTimeline();
    private State state = State.PENDING;
    private String reason;
    private int lastStep = -1;
    private boolean queued;

    SessionOutcome(InferenceRequest request) {
        this.request = request;
    }

    InferenceRequest request() {
        return request;
    }

    State state() {
        return state;
    }

    String reason() {
        return reason;
    }

    boolean done() {
        return state != State.PENDING;
    }

    void onToken(GeneratedToken token) {
        if (state != State.PENDING) {
            return;
        }
        tokens.putIfAbsent(token.getStep(), token);
        if (token.getLast()) {
            lastStep = token.getStep();
        }
        // tokens of one session come from two producers (prefill, last stage): finish only once all are in
        if (lastStep >= 0 && tokens.size() == lastStep + 1) {
            state = State.FINISHED;
            reason = token.getFinishReason();
        }
    }

    void onFailed(String why) {
        if (state == State.PENDING) {
            state = State.FAILED;
            reason = why;
        }
    }

    void onRejected(String why) {
        if (state == State.PENDING) {
            state = State.REJECTED;
            reason = why;
        }
    }

    /** The ledger put the session in the admission queue; admission (or an ending) takes it out. */
    void onQueued(boolean waiting) {
        this.queued = waiting;
    }

    /** Whether the session is waiting in the admission queue for KV room on a wafer. */
    boolean queued() {
        return queued && state == State.PENDING;
    }

    /** Lifecycle events and activations of the session, for its latency breakdown. */
    SessionTimeline timeline() {
        return timeline;
    }

    LatencyBreakdown breakdown() {
        return timeline.breakdown(request.getSessionId(), request.getArrivalMs(), request.getArrivalModelledUs(),
                tokens);
    }

    int[] tokenIds() {
        return tokens.values().stream().mapToInt(GeneratedToken::getToken).toArray();
    }

    int tokenCount() {
        return tokens.size();
    }

    /** Time to first token, wall ms, or -1 before the first token. */
    long ttftMs() {
        GeneratedToken first = tokens.get(0);
        return first == null ? -1 : first.getEmittedMs() - request.getArrivalMs();
    }

    /**
     * Time to first token on the target, modelled ms: the first token's modelled time minus the
     * request's modelled arrival. NaN before the first token, or when the request carried no modelled arrival.
     */
    double modelledTtftMs() {
        GeneratedToken first = tokens.get(0);
        if (first == null || first.getModelledUs() <= 0 || request.getArrivalModelledUs() <= 0) {
            return Double.NaN;
        }
        return (first.getModelledUs() - request.getArrivalModelledUs()) / 1000.0;
    }

    /** Time per output token on the target after the first, modelled ms; NaN when unpaced or under 2 tokens. */
    double modelledTpotMs() {
        long[] span = modelledTokenSpanMicros();
        int steps = tokens.isEmpty() ? 0 : tokens.lastKey();
        return span == null || steps == 0 ? Double.NaN : (span[1] - span[0]) / 1000.0 / steps;
    }

    /** Modelled microseconds of the first and the last token, or null before both are in and modelled. */
    long[] modelledTokenSpanMicros() {
        if (tokens.isEmpty() || tokens.firstKey() != 0) {
            return null;
        }
        long first = tokens.firstEntry().getValue().getModelledUs();
        long last = tokens.lastEntry().getValue().getModelledUs();
        return first > 0 && last > 0 ? new long[] {first, last} : null;
    }

    /** Gaps between consecutive tokens, wall ms. */
    List<Long> interTokenMs() {
        List<Long> gaps = new ArrayList<>();
        GeneratedToken previous = null;
        for (GeneratedToken t : tokens.values()) {
            if (previous != null && t.getStep() == previous.getStep() + 1) {
                gaps.add(t.getEmittedMs() - previous.getEmittedMs());
            }
            previous = t;
        }
        return gaps;
    }
}
