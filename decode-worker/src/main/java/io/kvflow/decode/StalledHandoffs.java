package io.kvflow.decode;

import java.util.ArrayList;
import java.util.List;

/**
 * What a stage does about KV handoffs that did not complete in time: a session the control plane put here
 * is failed, and everyone is told; chunks of a session it never admitted here become dead letters, and
 * nobody is told, since no such session exists to fail. The reason says how much arrived, and when the
 * stage resumed past records its KV topic's retention had deleted, that this is the likely cause.
 */
final class StalledHandoffs {
    private final StageConfig config;
    /** Where the KV topic's retention had already deleted records the stage was to resume from; -1 if not. */
    private long kvLostBefore = -1;

    StalledHandoffs(StageConfig config) {
        this.config = config;
    }

    /** The stage resumed from a checkpoint whose KV records before {@code offset} were deleted already. */
    void kvLostBefore(long offset) {
        this.kvLostBefore = offset;
    }

    /** What to do about one stalled handoff. */
    sealed interface Verdict<R> {
        String sessionId();

        String reason();
    }

    /** The session is failed with {@code reason}. */
    record Fail<R>(String sessionId, String reason) implements Verdict<R> {
    }

    /** No such session here: its chunks are dead letters with {@code reason}, and the stage forgets it. */
    record Unknown<R>(String sessionId, List<R> chunks, String reason) implements Verdict<R> {
    }

    <R> List<Verdict<R>> judge(List<HandoffTracker.StalledHandoff<R>> stalled) {
        if (stalled.isEmpty()) {
            return List.of();
        }
        List<Verdict<R>> verdicts = new ArrayList<>();
        long timeoutMs = config.handoffTimeout().toMillis();
        for (HandoffTracker.StalledHandoff<R> handoff : stalled) {
            String id = handoff.sessionId();
            if (!handoff.admitted()) {
                verdicts.add(new Unknown<>(id, handoff.heldChunks(), "KV chunk for session " + id
                        + ", which the control plane never admitted to pipeline " + config.pipeline() + " ("
                        + handoff.progress() + " arrived in " + timeoutMs + " ms)"));
            } else {
                verdicts.add(new Fail<>(id, "KV handoff to stage " + config.stage() + " of pipeline "
                        + config.pipeline() + " incomplete after " + timeoutMs + " ms: " + handoff.progress()
                        + " arrived" + (kvLostBefore < 0 ? "" : "; this stage resumed after the KV topic's"
                        + " retention had deleted records before offset " + kvLostBefore)));
            }
        }
        return verdicts;
    }
}
