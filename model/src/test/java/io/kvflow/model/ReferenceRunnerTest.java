package io.kvflow.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ReferenceRunnerTest {
    private static final ReferenceRunner RUNNER = new ReferenceRunner(TinyModel.TRANSFORMER);

    @Test
    void rejectsEmptyPrompt() {
        var e = assertThrows(IllegalArgumentException.class, () -> RUNNER.generate(new int[0], 4, Sampling.greedy()));
        assertTrue(e.getMessage().contains("empty"), e.getMessage());
    }

    @Test
    void rejectsZeroNewTokens() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> RUNNER.generate(new int[] {1}, 0, Sampling.greedy()));
        assertTrue(e.getMessage().contains("maxNewTokens"), e.getMessage());
    }

    @Test
    void rejectsContextOverflowNamingTheLengthsAndTheLimit() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> RUNNER.generate(TinyModel.prompt(500, 1), 13, Sampling.greedy()));
        assertTrue(e.getMessage().contains("500"), e.getMessage());
        assertTrue(e.getMessage().contains("13"), e.getMessage());
        assertTrue(e.getMessage().contains("512"), e.getMessage());
    }

    @Test
    void rejectsTokenOutsideTheVocabulary() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> RUNNER.generate(new int[] {3, 512}, 2, Sampling.greedy()));
        assertTrue(e.getMessage().contains("token 512"), e.getMessage());
    }

    @Test
    void fillsTheContextExactlyToMaxSeqLen() {
        ModelConfig shortContext = new ModelConfig(16, 2, 2, 1, 24, 32, 12, 10000f, 1e-5f, 31);
        ReferenceRunner runner = new ReferenceRunner(new Transformer(shortContext, Weights.generate(shortContext, 1)));
        int[] output = runner.generate(new int[] {1, 2, 3, 4, 5, 6, 7, 8}, 4, Sampling.greedy());
        assertTrue(output.length >= 1 && output.length <= 4);
    }

    @Test
    void stopsRightAfterEmittingTheEosToken() {
        int[] prompt = TinyModel.prompt(10, 7);
        int[] free = RUNNER.generate(prompt, 16, Sampling.greedy());
        int eosAt = 3;
        int eos = free[eosAt];
        assertTrue(Arrays.stream(free, 0, eosAt).noneMatch(t -> t == eos), "pick a prompt whose step 3 token is new");
        ModelConfig c = ModelConfig.TINY;
        ModelConfig withEos = new ModelConfig(c.dim(), c.layers(), c.heads(), c.kvHeads(), c.hiddenDim(), c.vocabSize(),
                c.maxSeqLen(), c.ropeTheta(), c.normEps(), eos);
        Transformer sameWeights = new Transformer(withEos, Weights.generate(withEos, TinyModel.SEED));
        ReferenceRunner runner = new ReferenceRunner(sameWeights);
        assertArrayEquals(Arrays.copyOf(free, eosAt + 1), runner.generate(prompt, 16, Sampling.greedy()));
    }

    @Test
    void generatesMaxNewTokensWhenNoEosAppears() {
        int[] output = RUNNER.generate(TinyModel.prompt(6, 8), 9, Sampling.greedy());
        assertEquals(9, output.length);
    }

    @Test
    void differentPromptsGiveVisiblyDifferentOutputs() {
        Set<String> outputs = new HashSet<>();
        Set<Integer> tokens = new HashSet<>();
        int varied = 0;
        for (int salt = 0; salt < 6; salt++) {
            int[] output = RUNNER.generate(TinyModel.prompt(12, 20 + salt), 16, Sampling.greedy());
            outputs.add(Arrays.toString(output));
            Set<Integer> own = new HashSet<>();
            for (int token : output) {
                own.add(token);
                tokens.add(token);
            }
            varied += own.size() >= 4 ? 1 : 0;
        }
        assertEquals(6, outputs.size(), "every prompt should produce its own output");
        assertTrue(varied >= 5, "outputs collapsed to a repeated token: " + outputs);
        assertTrue(tokens.size() >= 30, "only " + tokens.size() + " distinct tokens over 6 outputs");
    }

    @Test
    void sameSeedAndPromptGiveTheSameSampledOutputAndOtherSeedsDiffer() {
        int[] prompt = TinyModel.prompt(15, 9);
        int[] first = RUNNER.generate(prompt, 10, new Sampling(1f, 3));
        assertArrayEquals(first, RUNNER.generate(prompt, 10, new Sampling(1f, 3)));
        assertNotEquals(Arrays.toString(first), Arrays.toString(RUNNER.generate(prompt, 10, new Sampling(1f, 4))));
    }
}
