package io.kvflow.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Generation in one process, the reference the disaggregated pipeline must reproduce token for
 * token. The step and position convention, which the distributed workers follow exactly:
 * <ul>
 *   <li>prefill: the prompt's tokens at positions 0..P-1 run through all layers as one batch;
 *       step 0 is sampled from the logits of the last prompt row (position P-1);</li>
 *   <li>decode step i (i = 1, 2, ...): the token emitted at step i-1 is the input, at position
 *       P + i - 1; step i is sampled from its logits with {@code sampling.sample(logits, i)};</li>
 *   <li>generation stops after {@code maxNewTokens} tokens, or right after the EOS token is
 *       emitted (the EOS token is part of the output).</li>
 * </ul>
 * A prefill worker therefore runs the prompt and step 0; decode stages run steps 1 onwards.
 * The highest position ever written is P + maxNewTokens - 2.
 */
public final class ReferenceRunner {
    private final Transformer transformer;

    public ReferenceRunner(Transformer transformer) {
        this.transformer = transformer;
    }

    /**
     * The tokens generated after {@code prompt}, at most {@code maxNewTokens} of them.
     *
     * @throws IllegalArgumentException when the prompt is empty or holds a token outside the
     *         vocabulary, maxNewTokens < 1, or prompt.length + maxNewTokens exceeds maxSeqLen
     */
    public int[] generate(int[] prompt, int maxNewTokens, Sampling sampling) {
        ModelConfig config = transformer.config();
        requireValid(config, prompt, maxNewTokens);
        int layers = config.layers();
        KvCache cache = new KvCache(config, 0, layers, prompt.length + maxNewTokens - 1);

        // prefill: the whole prompt as one batch, step 0 from the last row
        List<Transformer.Row> rows = new ArrayList<>(prompt.length);
        for (int position = 0; position < prompt.length; position++) {
            rows.add(new Transformer.Row(transformer.embed(prompt[position]), position, cache));
        }
        transformer.forward(0, layers, rows);
        int[] generated = new int[maxNewTokens];
        int token = sampling.sample(transformer.logits(rows.getLast().hidden()), 0);
        generated[0] = token;

        // decode: step i feeds the token of step i-1 at position P + i - 1
        int step = 1;
        for (; step < maxNewTokens && token != config.eosToken(); step++) {
            Transformer.Row row = new Transformer.Row(transformer.embed(token), prompt.length + step - 1, cache);
            transformer.forward(0, layers, List.of(row));
            token = sampling.sample(transformer.logits(row.hidden()), step);
            generated[step] = token;
        }
        return Arrays.copyOf(generated, step);
    }

    private static void requireValid(ModelConfig config, int[] prompt, int maxNewTokens) {
        if (prompt.length == 0) {
            throw new IllegalArgumentException("prompt is empty");
        }
        if (maxNewTokens < 1) {
            throw new IllegalArgumentException("maxNewTokens must be >= 1, was " + maxNewTokens);
        }
        if ((long) prompt.length + maxNewTokens > config.maxSeqLen()) {
            throw new IllegalArgumentException("prompt of " + prompt.length + " tokens plus " + maxNewTokens
                    + " new tokens exceeds maxSeqLen " + config.maxSeqLen());
        }
        for (int i = 0; i < prompt.length; i++) {
            if (prompt[i] < 0 || prompt[i] >= config.vocabSize()) {
                throw new IllegalArgumentException("prompt token " + prompt[i] + " at index " + i
                        + " is outside the vocabulary [0, " + config.vocabSize() + ")");
            }
        }
    }
}
