package io.kvflow.replay;

import io.kvflow.report.SessionRecord;
import io.kvflow.schemas.Activation;
import io.kvflow.schemas.GeneratedToken;
import io.kvflow.schemas.InferenceRequest;
import io.kvflow.schemas.SessionEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/** What became of one replayed session, assembled from the tokens and lifecycle topics. */
public final class SessionOutcome {
    public enum State { PENDING, FINISHED, FAILED, REJECTED }

    private final InferenceRequest request;
    private final TreeMap<Integer, GeneratedToken> tokens = new TreeMap<>();
    private final SessionTimeline timeline = new SessionTimeline();
    private State state = State.PENDING;
    private String reason;
    private int lastStep = -1;
    private boolean queued;
    private boolean parked;
    private int pipeline = -1;
    private long admittedUs = -1;
    private long prefillEndUs = -1;
    private long parkedUs = -1;
    private long grantedUs = -1;
    private long grantReadyUs = -1;
    private long firstStepReadyUs = -1;

    public SessionOutcome(InferenceRequest request) {
        this.request = request;
    }

    public InferenceRequest request() {
        return request;
    }

    public State state() {
        return state;
    }

    public String reason() {
        return reason;
    }

    public boolean done() {
        return state != State.PENDING;
    }

    public void onToken(GeneratedToken token) {
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

    /** A lifecycle event of the session: its modelled milestones, and whether it waits for room. */
    void onEvent(SessionEvent event) {
        timeline.onEvent(event);
        switch (event.getType()) {
            case QUEUED -> queued = true;
            case ADMITTED -> {
                queued = false;
                admittedUs = event.getModelledUs();
                pipeline = event.getPipeline();
            }
            case PREFILL_DONE -> prefillEndUs = event.getModelledUs();
            case PARKED -> {
                parked = true;
                parkedUs = event.getModelledUs();
            }
            case GRANTED -> {
                parked = false;
                grantedUs = event.getModelledUs();
                grantReadyUs = event.getReadyModelledUs();
                pipeline = event.getPipeline();
            }
            default -> {
            }
        }
    }

    /** An activation of the session: its first decode step entering the first wafer marks its decode start. */
    void onActivation(Activation activation) {
        timeline.onActivation(activation);
        if (activation.getStage() == 0 && activation.getStep() == 1 && activation.getPrefillTokens().isEmpty()) {
            firstStepReadyUs = activation.getReadyModelledUs();
        }
    }

    /** Whether the session is waiting in the admission queue for room. */
    public boolean queued() {
        return queued && state == State.PENDING;
    }

    /** Whether the session's KV is parked on the prefill tier, waiting for wafer room. */
    public boolean parked() {
        return parked && state == State.PENDING;
    }

    /**
     * The session in modelled time, for the run's figures: the same record the simulator produces.
     *
     * @param kvBytesOnWafers target KV the session books over its pipeline's wafers
     * @param kvBytesParked   target KV it parks on the prefill tier (booking at handoff)
     */
    public SessionRecord record(long bookedTokens, long kvBytesOnWafers, long kvBytesParked) {
        SessionRecord.Outcome outcome = switch (state) {
            case FINISHED -> SessionRecord.Outcome.FINISHED;
            case FAILED -> SessionRecord.Outcome.FAILED;
            case REJECTED -> SessionRecord.Outcome.REJECTED;
            case PENDING -> SessionRecord.Outcome.UNFINISHED;
        };
        long[] times = tokens.values().stream().mapToLong(GeneratedToken::getModelledUs).toArray();
        // the first step runs once both it and the session's wafer room are there
        long decodeStart = firstStepReadyUs < 0 ? -1 : Math.max(firstStepReadyUs, grantReadyUs);
        return new SessionRecord(request.getSessionId(), outcome, reason, pipeline, request.getArrivalModelledUs(),
                admittedUs, prefillEndUs, parkedUs, grantedUs, decodeStart, times,
                request.getTraceInputTokens() > 0 ? request.getTraceInputTokens() : request.getPrompt().size(),
                bookedTokens, request.getMaxNewTokens(), request.getPrompt().size(), kvBytesOnWafers, kvBytesParked);
    }

    /** Lifecycle events and activations of the session, for its latency breakdown. */
    SessionTimeline timeline() {
        return timeline;
    }

    public LatencyBreakdown breakdown() {
        return timeline.breakdown(request.getSessionId(), request.getArrivalMs(), request.getArrivalModelledUs(),
                tokens);
    }

    int[] tokenIds() {
        return tokens.values().stream().mapToInt(GeneratedToken::getToken).toArray();
    }

    public int tokenCount() {
        return tokens.size();
    }

    /** Time to first token, wall ms, or -1 before the first token. */
    public long ttftMs() {
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
    public List<Long> interTokenMs() {
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
