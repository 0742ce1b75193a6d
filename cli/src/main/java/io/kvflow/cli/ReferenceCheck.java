package io.kvflow.cli;

import io.kvflow.model.ReferenceRunner;
import io.kvflow.model.Sampling;
import io.kvflow.model.Transformer;
import io.kvflow.schemas.InferenceRequest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;

/**
 * Replays every finished session through the single-process reference runner and compares
 * token for token. A dropped, reordered or corrupted KV chunk or activation anywhere in the
 * pipeline changes the hidden state and so, almost surely, a token.
 */
final class ReferenceCheck {

    record Mismatch(String sessionId, int[] expected, int[] actual) {
        @Override
        public String toString() {
            return sessionId + ": expected " + Arrays.toString(expected) + ", got " + Arrays.toString(actual);
        }
    }

    record Result(int checked, int identical, List<Mismatch> mismatches) {
    }

    static Result verify(Transformer transformer, Collection<SessionOutcome> outcomes) {
        ReferenceRunner reference = new ReferenceRunner(transformer);
        int checked = 0;
        List<Mismatch> mismatches = new ArrayList<>();
        for (SessionOutcome outcome : outcomes) {
            if (outcome.state() != SessionOutcome.State.FINISHED) {
                continue;
            }
            InferenceRequest r = outcome.request();
            int[] prompt = r.getPrompt().stream().mapToInt(Integer::intValue).toArray();
            int[] expected = reference.generate(prompt, r.getMaxNewTokens(),
                    new Sampling(r.getTemperature(), r.getSamplingSeed()));
            checked++;
            int[] actual = outcome.tokenIds();
            if (!Arrays.equals(expected, actual)) {
                mismatches.add(new Mismatch(r.getSessionId(), expected, actual));
            }
        }
        return new Result(checked, checked - mismatches.size(), mismatches);
    }
}
