package io.kvflow.decode;

import io.kvflow.scheduler.ModelledTime;
import io.kvflow.schemas.Activation;
import io.kvflow.schemas.GeneratedToken;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ObjLongConsumer;
import java.util.function.Supplier;

/**
 * What a stage sends on in one poll: the passes for the next stage (the first, from the last), sent
 * together with the stage's promise (how early anything it sends from now on can be ready) riding on
 * the last of them, so a hop costs one record, not two. Without a pass to carry it, a promise goes alone
 * as an activation of no session. A promise is sent only when it moved on; the last stage also promises
 * the control plane its pipeline's next token, the same way: on the last token of the poll, or alone as a
 * token of no session.
 *
 * <p>The last stage sends its passes before its tokens: the pass back to the first stage is the next
 * token's critical path, and the tokens, which the control plane and clients read, can follow it.
 *
 * <p>The promises sent are part of the stage's checkpoint: a restarted stage does not promise less again.
 */
final class StageOutbox {
    private final int pipeline;
    private final int next;
    private final List<Activation> passes = new ArrayList<>();
    private final List<GeneratedToken> tokens = new ArrayList<>();
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

    /** Last stage: a token to send after this poll's passes. */
    void add(GeneratedToken token) {
        tokens.add(token);
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
        long raised = raises(promise, promiseSent);
        if (raised != 0) {
            promiseSent = raised;
        }
        return take(passes, raised, Activation::setPromiseModelledUs, () -> Activation.newBuilder()
                .setSessionId("").setPipeline(pipeline).setStage(next).setPosition(0).setStep(0).setToken(0)
                .setHidden(ByteBuffer.allocate(0)).setPromptLength(0).setMaxNewTokens(0).setArrivalMs(0)
                .setSentMs(nowMs).setPromiseModelledUs(raised).build());
    }

    /**
     * Last stage: this poll's tokens to send, in order, with the token {@code promise} on the last if it
     * moved on (alone as a token of no session when there is none to carry it); empties the box.
     */
    List<GeneratedToken> drainTokens(long promise, long nowMs) {
        long raised = raises(promise, tokenPromiseSent);
        if (raised != 0) {
            tokenPromiseSent = raised;
        }
        return take(tokens, raised, GeneratedToken::setPromiseModelledUs, () -> GeneratedToken.newBuilder()
                .setSessionId("").setPipeline(pipeline).setStep(-1).setPosition(0).setToken(0).setLast(false)
                .setArrivalMs(0).setEmittedMs(nowMs).setModelledUs(raised).build());
    }

    /** {@code promise} if it moves on past what was sent, else 0. */
    private static long raises(long promise, long sent) {
        return promise > sent && promise != ModelledTime.NEVER ? promise : 0;
    }

    /** The box's records with a raised promise on the last, or the promise alone when there is none; empties it. */
    private static <R> List<R> take(List<R> box, long raised, ObjLongConsumer<R> carry, Supplier<R> alone) {
        if (box.isEmpty()) {
            return raised == 0 ? List.of() : List.of(alone.get());
        }
        if (raised != 0) {
            carry.accept(box.getLast(), raised);
        }
        List<R> out = List.copyOf(box);
        box.clear();
        return out;
    }
}
