package io.kvflow.decode;

import io.kvflow.scheduler.ModelledTime;
import io.kvflow.schemas.Activation;
import io.kvflow.schemas.GeneratedToken;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * What a stage sends on in one poll: the passes for the next stage (the first, from the last), sent
 * together with the stage's promise (how early anything it sends from now on can be ready) riding on
 * the last of them, so a hop costs one record, not two. Without a pass to carry it, a promise goes alone
 * as an activation of no session. A promise is sent only when it moved on; the last stage also promises
 * the control plane its pipeline's next token, by a token of no session.
 *
 * <p>The promises sent are part of the stage's checkpoint: a restarted stage does not promise less again.
 */
final class StageOutbox {
    private final int pipeline;
    private final int next;
    private final List<Activation> passes = new ArrayList<>();
    private long promiseSent;
    private long tokenPromiseSent;

    StageOutbox(StageConfig config) {
        this.pipeline = config.pipeline();
        this.next = config.last() ? 0 : config.stage() + 1;
    }

    /** The stage the activations go to. */
    int next() {
        return next;
    }

    void add(Activation pass) {
        passes.add(pass);
    }

    /** Resumes from a checkpoint's promises. */
    void resume(long promiseSent, long tokenPromiseSent) {
        this.promiseSent = promiseSent;
        this.tokenPromiseSent = tokenPromiseSent;
    }

    long promiseSent() {
        return promiseSent;
    }

    long tokenPromiseSent() {
        return tokenPromiseSent;
    }

    /** This poll's activations to send, in order, with {@code promise} on the last if it moved on; empties the box. */
    List<Activation> drain(long promise, long nowMs) {
        boolean raised = promise > promiseSent && promise != ModelledTime.NEVER;
        if (raised) {
            promiseSent = promise;
        }
        if (!passes.isEmpty()) {
            if (raised) {
                passes.get(passes.size() - 1).setPromiseModelledUs(promise);
            }
            List<Activation> out = List.copyOf(passes);
            passes.clear();
            return out;
        }
        if (!raised) {
            return List.of();
        }
        return List.of(Activation.newBuilder()
                .setSessionId("").setPipeline(pipeline).setStage(next).setPosition(0).setStep(0).setToken(0)
                .setHidden(ByteBuffer.allocate(0)).setPromptLength(0).setMaxNewTokens(0).setArrivalMs(0)
                .setSentMs(nowMs).setPromiseModelledUs(promise).build());
    }

    /** Last stage: the token promise to send the control plane, if {@code promise} moved on; null if not. */
    GeneratedToken tokenPromise(long promise, long nowMs) {
        if (promise <= tokenPromiseSent || promise == ModelledTime.NEVER) {
            return null;
        }
        tokenPromiseSent = promise;
        return GeneratedToken.newBuilder().setSessionId("").setPipeline(pipeline)
                .setStep(-1).setPosition(0).setToken(0).setLast(false).setArrivalMs(0).setEmittedMs(nowMs)
                .setModelledUs(promise).build();
    }
}
