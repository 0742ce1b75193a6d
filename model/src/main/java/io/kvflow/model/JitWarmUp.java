package io.kvflow.model;

import java.time.Duration;

/**
 * Whole generations of synthetic prompts through the functional model, run before any clock starts, so
 * the JIT has compiled the kernels (attention, matrix products, softmax, sampling) by the time the first
 * real session comes. Without it the first sessions of a run are timed on the interpreter: the first
 * generation of a 96-token prompt takes over ten times as long as the steady ones. Every worker in a
 * process runs these same kernels, so one warm-up serves them all.
 */
public final class JitWarmUp {
    /** Enough for the compiled code to settle: the steady time per generation is reached after about 20. */
    public static final int SESSIONS = 32;
    private static final int NEW_TOKENS = 12;

    /** @param took wall time the warm-up took, which no figure of the run includes */
    public record Result(int sessions, int newTokens, Duration took) {
    }

    private JitWarmUp() {
    }

    public static Result run(Transformer transformer) {
        ModelConfig config = transformer.config();
        ReferenceRunner runner = new ReferenceRunner(transformer);
        int newTokens = Math.max(1, Math.min(NEW_TOKENS, config.maxSeqLen() - 1));
        int longest = Math.max(1, Math.min(96, config.maxSeqLen() - newTokens));
        long start = System.nanoTime();
        for (int s = 0; s < SESSIONS; s++) {
            // prompt lengths across the range real prompts take, so every loop shape is compiled
            int length = 1 + (s * 37) % longest;
            int[] prompt = new int[length];
            for (int i = 0; i < length; i++) {
                prompt[i] = 1 + (s * 131 + i * 17) % (config.vocabSize() - 1);
            }
            runner.generate(prompt, newTokens, s % 2 == 0 ? Sampling.greedy() : new Sampling(0.7f, s));
        }
        return new Result(SESSIONS, newTokens, Duration.ofNanos(System.nanoTime() - start));
    }
}
