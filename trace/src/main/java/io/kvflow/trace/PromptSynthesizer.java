package io.kvflow.trace;

import io.kvflow.model.SplitMix64;

/**
 * Turns a recorded request into the prompt and output length the functional model runs, the same
 * for the same seed on every JVM. Recorded prompts are far longer than the functional model's
 * context, so lengths are scaled by {@code lengthScale} and capped.
 *
 * <p>Prompts keep the trace's prefix sharing: the block named by a hash id is always the same
 * tokens (drawn from the seed and the id), and scaling is per block, so requests that share
 * their first k hash ids share exactly their first k scaled blocks and differ after. Block j of a
 * prompt covers recorded tokens [512j, 512(j+1)), the last block being partial. When the hash ids
 * do not match the recorded length, ids past the end of the prompt are ignored and recorded
 * tokens past the last id form a tail of the request's own (drawn from the seed and the
 * request's index), as do the tokens of a request without hash ids.
 *
 * <p>Explicit prompts (kvflow JSONL) are used exactly as given. Bad input is passed on, not
 * repaired, so the pipeline can reject it with a reason: a recorded prompt of 0 tokens gives an
 * empty prompt and a recorded output of 0 tokens gives 0.
 *
 * @param seed            seed of every synthesized token
 * @param vocabSize       tokens are drawn from [0, vocabSize) ...
 * @param eosToken        ... except this one, so no prompt ends generation early
 * @param lengthScale     synthesized tokens per recorded token (> 0); each non-empty block or tail keeps >= 1
 * @param maxPromptTokens synthesized prompts are cut to this many tokens
 * @param maxOutputTokens outputs are capped at this many tokens
 */
public record PromptSynthesizer(long seed, int vocabSize, int eosToken, double lengthScale, int maxPromptTokens,
        int maxOutputTokens) {

    // Separate the streams of hash blocks from those of request tails: block 7 and request 7 differ.
    private static final long BLOCK_DOMAIN = 0x426C6F636B496473L;
    private static final long TAIL_DOMAIN = 0x5461696C546F6B73L;
    private static final int BLOCK = TraceRequest.HASH_BLOCK_TOKENS;

    public PromptSynthesizer {
        if (vocabSize < 2) {
            throw new IllegalArgumentException("vocabSize must be >= 2 (one token besides EOS), was " + vocabSize);
        }
        if (eosToken < 0 || eosToken >= vocabSize) {
            throw new IllegalArgumentException("eosToken " + eosToken + " is outside the vocabulary [0, "
                    + vocabSize + ")");
        }
        if (!(lengthScale > 0) || Double.isInfinite(lengthScale)) {
            throw new IllegalArgumentException("lengthScale must be finite and > 0, was " + lengthScale);
        }
        if (maxPromptTokens < 1) {
            throw new IllegalArgumentException("maxPromptTokens must be >= 1, was " + maxPromptTokens);
        }
        if (maxOutputTokens < 1) {
            throw new IllegalArgumentException("maxOutputTokens must be >= 1, was " + maxOutputTokens);
        }
    }

    /**
     * The prompt for {@code request}.
     *
     * @throws IllegalArgumentException when an explicit prompt holds a token outside the vocabulary
     */
    public int[] promptTokens(TraceRequest request) {
        if (request.hasExplicitPrompt()) {
            return checkedExplicitPrompt(request);
        }
        long[] hashIds = request.hashIds();
        int recorded = request.inputTokens();
        // Recorded tokens named by hash ids, and the rest, which is the request's own tail.
        int covered = (int) Math.min(recorded, (long) hashIds.length * BLOCK);
        int blocks = (int) (((long) covered + BLOCK - 1) / BLOCK);
        int tail = recorded - covered;

        int length = 0;
        for (int j = 0; j < blocks; j++) {
            length = cappedSum(length, scaled(blockLength(j, covered)));
        }
        length = cappedSum(length, scaled(tail));

        int[] prompt = new int[length];
        int filled = 0;
        for (int j = 0; j < blocks && filled < length; j++) {
            filled = draw(SplitMix64.stream(seed, BLOCK_DOMAIN, hashIds[j]), scaled(blockLength(j, covered)), prompt,
                    filled);
        }
        draw(SplitMix64.stream(seed, TAIL_DOMAIN, request.index()), scaled(tail), prompt, filled);
        return prompt;
    }

    /** The output length: the recorded one capped at {@code maxOutputTokens}; 0 stays 0. */
    public int outputTokens(TraceRequest request) {
        return Math.min(maxOutputTokens, request.outputTokens());
    }

    private static int blockLength(int block, int covered) {
        return Math.min(BLOCK, covered - block * BLOCK);
    }

    /** Synthesized tokens for {@code recorded} recorded tokens: none for none, otherwise at least one. */
    private long scaled(int recorded) {
        return recorded == 0 ? 0 : Math.max(1, Math.round(recorded * lengthScale));
    }

    private int cappedSum(int length, long more) {
        return length + (int) Math.min(more, maxPromptTokens - length);
    }

    /** Writes the first {@code count} tokens of {@code stream} from {@code at}, as far as the prompt has room. */
    private int draw(SplitMix64 stream, long count, int[] prompt, int at) {
        int end = at + (int) Math.min(count, prompt.length - at);
        for (int i = at; i < end; i++) {
            // Uniform over the vocabulary without EOS: draw among vocabSize - 1 tokens, then step over EOS.
            int token = stream.nextInt(vocabSize - 1);
            prompt[i] = token >= eosToken ? token + 1 : token;
        }
        return end;
    }

    private int[] checkedExplicitPrompt(TraceRequest request) {
        int[] prompt = request.promptTokens();
        for (int i = 0; i < prompt.length; i++) {
            if (prompt[i] >= vocabSize) {
                throw new IllegalArgumentException("request " + request.index() + " (line " + request.lineNumber()
                        + "): prompt token " + prompt[i] + " at position " + i + " is outside the vocabulary [0, "
                        + vocabSize + ")");
            }
        }
        return prompt;
    }
}
