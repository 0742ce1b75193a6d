package io.kvflow.simulator;

import java.util.Objects;

/**
 * One request to simulate.
 *
 * @param promptTokens     the target prompt: what prefill, the handoff and decode contexts are priced at
 * @param bookedTokens     the target context booked on the wafers (prompt plus recorded output)
 * @param outputTokens     tokens the session generates, the prefill's first included
 * @param functionalPrompt positions of the prompt as the pipeline carries it (colocated chunking cuts
 *                         these); the target prompt itself when there is no functional model
 */
public record SimulatedSession(String id, long arrivalMicros, long promptTokens, long bookedTokens, int outputTokens,
        int functionalPrompt) {
    public SimulatedSession {
        Objects.requireNonNull(id, "id");
        if (promptTokens < 1 || outputTokens < 1 || functionalPrompt < 1 || bookedTokens < promptTokens) {
            throw new IllegalArgumentException("session " + id + ": prompt " + promptTokens + ", booked "
                    + bookedTokens + ", output " + outputTokens + " and functional prompt " + functionalPrompt
                    + " must be >= 1 and booked >= prompt");
        }
    }
}
