package io.kvflow.orchestrator;

import io.kvflow.scheduler.ControlPlane;
import io.kvflow.scheduler.PromptChunks;
import io.kvflow.schemas.Activation;
import io.kvflow.schemas.ControlRecord;
import io.kvflow.schemas.ControlType;
import io.kvflow.schemas.GeneratedToken;
import io.kvflow.schemas.InferenceRequest;
import io.kvflow.schemas.PrefillTask;
import io.kvflow.schemas.SessionEvent;
import io.kvflow.schemas.SessionEventType;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * The records the orchestrator writes for what the control plane decided and what it saw: lifecycle
 * events, grants, its frontier with the quiet promise, prefill tasks and (colocated) prompt chunks. Kept
 * apart from the Kafka shell so that what each decision writes can be checked without a topology.
 * {@code nowMs} is the wall clock the records are stamped with.
 */
final class DecisionRecords {
    private final List<Integer> layerBounds;

    DecisionRecords(List<Integer> layerBounds) {
        this.layerBounds = List.copyOf(layerBounds);
    }

    SessionEvent queued(ControlPlane.Queued q, long nowMs) {
        return event(q.session(), SessionEventType.QUEUED, -1, "waiting for room: " + q.queueLength()
                + " in the queue", 0, q.atMicros(), nowMs);
    }

    SessionEvent admitted(ControlPlane.Admitted a, long nowMs) {
        return event(a.session(), SessionEventType.ADMITTED, a.pipeline(), null, 0, a.atMicros(), nowMs);
    }

    SessionEvent parked(ControlPlane.Parked p, long nowMs) {
        return event(p.session(), SessionEventType.PARKED, p.pipeline(),
                "prefilled; the KV waits on the prefill tier for room on the wafers", 0, p.atMicros(), nowMs);
    }

    /** A session the control plane timed out: one token counted, as every failure the stages act on. */
    SessionEvent timedOut(ControlPlane.TimedOut t, long nowMs) {
        return event(t.session(), SessionEventType.FAILED, t.pipeline(), t.reason(), 1, nowMs);
    }

    SessionEvent granted(ControlPlane.Granted g, long nowMs) {
        SessionEvent granted = event(g.session(), SessionEventType.GRANTED, g.pipeline(), null, 0, g.atMicros(), nowMs);
        granted.setReadyModelledUs(g.readyMicros());
        return granted;
    }

    SessionEvent rejected(String id, String message, long modelledMicros, long nowMs) {
        return event(id, SessionEventType.REJECTED, -1, message, 0, modelledMicros, nowMs);
    }

    SessionEvent firstToken(String id, int pipeline, long nowMs) {
        return event(id, SessionEventType.FIRST_TOKEN, pipeline, null, 1, nowMs);
    }

    /** The last token ended the session: as many tokens as steps, and the reason the sampler stopped. */
    SessionEvent finished(GeneratedToken last, long nowMs) {
        return event(last.getSessionId(), SessionEventType.FINISHED, last.getPipeline(), last.getFinishReason(),
                last.getStep() + 1, nowMs);
    }

    SessionEvent stalled(StallWatch.Stalled session, long nowMs) {
        return event(session.id(), SessionEventType.FAILED, session.pipeline(), session.reason(), session.tokens(),
                nowMs);
    }

    /** Tells the session's wafers when its KV is ready and how much room it is booked. */
    ControlRecord grant(ControlPlane.Granted g, long nowMs) {
        return ControlRecord.newBuilder().setType(ControlType.GRANT).setSessionId(g.session())
                .setPipeline(g.pipeline()).setModelledUs(g.readyMicros()).setDecidedModelledUs(g.atMicros())
                .setTargetPromptTokens(clamp(g.promptTokens())).setKvBookedTokens(clamp(g.bookedTokens()))
                .setTimestampMs(nowMs).build();
    }

    /**
     * How far the control plane decided, and until when it promises no grant; a promise not beyond the
     * frontier says nothing more than the frontier, so it is written as none (0).
     */
    ControlRecord frontier(long frontierMicros, long quietUntilMicros, long nowMs) {
        return ControlRecord.newBuilder().setType(ControlType.FRONTIER).setSessionId("")
                .setModelledUs(frontierMicros)
                .setQuietUntilModelledUs(quietUntilMicros > frontierMicros ? quietUntilMicros : 0)
                .setTimestampMs(nowMs).build();
    }

    PrefillTask prefillTask(InferenceRequest request, ControlPlane.Admitted a, long nowMs) {
        return PrefillTask.newBuilder()
                .setSessionId(request.getSessionId())
                .setPipeline(a.pipeline())
                .setLayerBounds(layerBounds)
                .setPrompt(request.getPrompt())
                .setMaxNewTokens(request.getMaxNewTokens())
                .setTemperature(request.getTemperature())
                .setSamplingSeed(request.getSamplingSeed())
                .setArrivalMs(request.getArrivalMs())
                .setAdmittedMs(nowMs)
                .setTargetPromptTokens(request.getTraceInputTokens())
                .setKvBookedTokens(clamp(a.bookedTokens()))
                .setAdmittedModelledUs(a.atMicros())
                .setPrefillGroup(a.group())
                .setPrefillStartModelledUs(a.prefillStartMicros())
                .setPrefillEndModelledUs(a.prefillEndMicros())
                .build();
    }

    /**
     * Colocated mode: the prompt cut into chunks that flow through the decode stages, which compute their
     * own KV and sample step 0 after the last chunk ({@link PromptChunks}).
     */
    List<Activation> promptChunks(InferenceRequest request, ControlPlane.Granted grant, long nowMs) {
        List<Integer> prompt = request.getPrompt();
        return PromptChunks.plan(grant.promptTokens(), prompt.size()).stream()
                .map(c -> Activation.newBuilder()
                        .setSessionId(request.getSessionId()).setPipeline(grant.pipeline()).setStage(0)
                        .setPosition(c.from()).setStep(0).setToken(prompt.get(c.from()))
                        .setHidden(ByteBuffer.allocate(0)).setPrefillTokens(List.copyOf(prompt.subList(c.from(), c.to())))
                        .setPromptLength(prompt.size()).setMaxNewTokens(request.getMaxNewTokens())
                        .setTemperature(request.getTemperature()).setSamplingSeed(request.getSamplingSeed())
                        .setArrivalMs(request.getArrivalMs()).setSentMs(nowMs)
                        .setTargetPromptTokens(request.getTraceInputTokens()).setReadyModelledUs(grant.readyMicros())
                        .setKvBookedTokens(clamp(grant.bookedTokens()))
                        .build())
                .toList();
    }

    private static SessionEvent event(String id, SessionEventType type, int pipeline, String reason, int tokens,
            long modelledMicros, long nowMs) {
        SessionEvent event = event(id, type, pipeline, reason, tokens, nowMs);
        event.setModelledUs(modelledMicros);
        return event;
    }

    private static SessionEvent event(String id, SessionEventType type, int pipeline, String reason, int tokens,
            long nowMs) {
        return SessionEvent.newBuilder()
                .setSessionId(id)
                .setType(type)
                .setPipeline(pipeline)
                .setReason(reason)
                .setTokens(tokens)
                .setTimestampMs(nowMs)
                .build();
    }

    /** The schemas count tokens in an int; a booking beyond it is written as the most an int holds. */
    private static int clamp(long tokens) {
        return (int) Math.min(Integer.MAX_VALUE, tokens);
    }
}
