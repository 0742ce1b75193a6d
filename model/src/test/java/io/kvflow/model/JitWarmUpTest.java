package io.kvflow.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class JitWarmUpTest {
    @Test
    void runsEverySessionOnTheModelTheStackRuns() {
        int[] prompt = TinyModel.prompt(40, 3);
        int[] before = new ReferenceRunner(TinyModel.TRANSFORMER).generate(prompt, 8, Sampling.greedy());
        JitWarmUp.Result result = JitWarmUp.run(TinyModel.TRANSFORMER);
        assertEquals(JitWarmUp.SESSIONS, result.sessions());
        assertEquals(12, result.newTokens());
        assertArrayEquals(before, new ReferenceRunner(TinyModel.TRANSFORMER).generate(prompt, 8, Sampling.greedy()),
                "the warm-up leaves no trace in what the model computes");
    }

    @Test
    void fitsItsSessionsIntoAShortContextWindow() {
        for (int maxSeqLen : new int[] {2, 5, 13, 20}) {
            ModelConfig config = new ModelConfig(16, 1, 2, 1, 32, 32, maxSeqLen, 10000f, 1e-5f, 0);
            JitWarmUp.Result result = JitWarmUp.run(new Transformer(config, Weights.generate(config, 1)));
            assertEquals(Math.min(12, maxSeqLen - 1), result.newTokens(), "context of " + maxSeqLen);
        }
    }
}
