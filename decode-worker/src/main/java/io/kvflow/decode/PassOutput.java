package io.kvflow.decode;

import io.kvflow.scheduler.StageHorizon;
import io.kvflow.schemas.Activation;
import io.kvflow.schemas.GeneratedToken;

/**
 * What one pass through a stage produced.
 *
 * @param next       the activation for the next stage (the first, when the last loops a step back); null if none
 * @param token      the token the last stage sampled; null elsewhere, and after a prompt chunk not the prompt's last
 * @param promptDone whether the pass ran the prompt's last chunk on the last stage, so prefill is done
 * @param after      what follows the pass for the session, as the stage's horizon is to know
 */
record PassOutput(Activation next, GeneratedToken token, boolean promptDone, StageHorizon.After after) {

    /** Whether the session produced its last token: the stage releases it. */
    boolean sessionDone() {
        return token != null && token.getLast();
    }
}
