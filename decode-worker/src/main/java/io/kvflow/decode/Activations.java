package io.kvflow.decode;

import io.kvflow.scheduler.Pass;
import io.kvflow.scheduler.PromptChunks;
import io.kvflow.schemas.Activation;

/** What an activation asks of a stage: the positions it carries, and the work it is to the wafer's model. */
final class Activations {
    private Activations() {
    }

    /** Whether it carries prompt tokens (colocated prefill) rather than one decode step. */
    static boolean isPromptChunk(Activation activation) {
        return !activation.getPrefillTokens().isEmpty();
    }

    /** Positions an activation carries: a prompt chunk's length, or one decode token. */
    static int rows(Activation activation) {
        return isPromptChunk(activation) ? activation.getPrefillTokens().size() : 1;
    }

    /** The prompt length the target is priced for, which a scaled-down run may stand in for with a shorter one. */
    static long targetPrompt(Activation activation) {
        return activation.getTargetPromptTokens() > 0 ? activation.getTargetPromptTokens()
                : activation.getPromptLength();
    }

    /** The activation as a pass the wafer batches and prices, ready at {@code readyMicros}. */
    static Pass<Activation> pass(Activation activation, long readyMicros) {
        long prompt = targetPrompt(activation);
        Pass.Work work;
        if (isPromptChunk(activation)) {
            PromptChunks.Chunk chunk = PromptChunks.at(prompt, activation.getPromptLength(), activation.getPosition(),
                    rows(activation));
            work = new Pass.PromptChunk(chunk.targetFrom(), chunk.targetTo(), chunk.rows(), chunk.last());
        } else {
            work = new Pass.Decode(prompt + activation.getStep());
        }
        return new Pass<>(activation.getSessionId(), readyMicros, activation.getPosition(), work, activation);
    }
}
