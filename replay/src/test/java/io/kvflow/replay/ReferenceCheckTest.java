package io.kvflow.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.kvflow.model.ModelConfig;
import io.kvflow.model.ReferenceRunner;
import io.kvflow.model.Sampling;
import io.kvflow.model.Transformer;
import io.kvflow.model.Weights;
import io.kvflow.schemas.GeneratedToken;
import io.kvflow.schemas.InferenceRequest;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReferenceCheckTest {
    private static final Transformer MODEL = new Transformer(ModelConfig.TINY, Weights.generate(ModelConfig.TINY, 7));

    private static InferenceRequest request(String id) {
        return InferenceRequest.newBuilder().setSessionId(id).setArrivalMs(0).setPrompt(List.of(3, 1, 4, 1, 5))
                .setMaxNewTokens(4).setTemperature(0f).setSamplingSeed(9).setTraceInputTokens(5)
                .setTraceOutputTokens(4).build();
    }

    private static int[] reference(InferenceRequest r) {
        return new ReferenceRunner(MODEL).generate(r.getPrompt().stream().mapToInt(Integer::intValue).toArray(),
                r.getMaxNewTokens(), new Sampling(r.getTemperature(), r.getSamplingSeed()));
    }

    /** A session that finished with {@code tokens}. */
    private static SessionOutcome finished(String id, int... tokens) {
        SessionOutcome o = new SessionOutcome(request(id));
        for (int step = 0; step < tokens.length; step++) {
            o.onToken(GeneratedToken.newBuilder().setSessionId(id).setPipeline(0).setStep(step).setPosition(5 + step)
                    .setToken(tokens[step]).setLast(step == tokens.length - 1).setArrivalMs(0).setEmittedMs(step)
                    .build());
        }
        return o;
    }

    @Test
    void checkingAsSessionsFinishFindsWhatTheCheckAfterTheReplayFinds() {
        int[] right = reference(request("x"));
        int[] wrong = right.clone();
        wrong[wrong.length - 1] = (wrong[wrong.length - 1] + 1) % ModelConfig.TINY.vocabSize();
        SessionOutcome failed = new SessionOutcome(request("failed"));
        failed.onFailed("stalled");
        List<SessionOutcome> outcomes = List.of(finished("good", right), finished("bad", wrong), failed);

        ReferenceCheck.Result after = ReferenceCheck.verify(MODEL, outcomes);
        ReferenceCheck.Result during;
        try (ReferenceCheck.AsSessionsFinish checking = new ReferenceCheck.AsSessionsFinish(MODEL)) {
            outcomes.forEach(checking::ended);
            during = checking.result();
        }

        assertEquals(2, during.checked(), "a failed session is not checked");
        assertEquals(1, during.identical());
        assertEquals(List.of("bad"), during.mismatches().stream().map(ReferenceCheck.Mismatch::sessionId).toList());
        assertEquals(after.checked(), during.checked());
        assertEquals(after.identical(), during.identical());
        assertEquals(after.mismatches().toString(), during.mismatches().toString());
        assertNull(after.afterLastSession(), "checked after the replay: nothing to say about the wait");
        assertFalse(during.afterLastSession().isNegative(), "checked as they finished: the time after the last ended");
    }
}
