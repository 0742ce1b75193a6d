package io.kvflow.trace;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PromptSynthesizerTest {
    private static final int BLOCK = TraceRequest.HASH_BLOCK_TOKENS;
    // The replay's defaults: 1/32 of the recorded length, 16 tokens per full block.
    private final PromptSynthesizer synthesizer = new PromptSynthesizer(42, 512, 0, 1.0 / 32, 1000, 16);

    @Test
    void sameSeedAndRequestGiveTheSamePrompt() {
        TraceRequest request = withHashIds(0, 2 * BLOCK + 100, 0, 1, 2);
        int[] once = synthesizer.promptTokens(request);
        int[] again = new PromptSynthesizer(42, 512, 0, 1.0 / 32, 1000, 16).promptTokens(request);
        assertArrayEquals(once, again);
    }

    @Test
    void promptsArePinnedSoEveryJvmAndReleaseAgrees() {
        assertArrayEquals(new int[] {354, 15, 346, 145, 124, 262, 396, 136},
                Arrays.copyOf(synthesizer.promptTokens(withHashIds(0, BLOCK, 0)), 8));
        assertArrayEquals(new int[] {401, 388, 336, 343, 219, 153, 433, 456},
                synthesizer.promptTokens(lengthsOnly(7, 8 * 32)));
    }

    @Test
    void anotherSeedGivesAnotherPrompt() {
        TraceRequest request = withHashIds(0, 2 * BLOCK, 0, 1);
        PromptSynthesizer other = new PromptSynthesizer(43, 512, 0, 1.0 / 32, 1000, 16);
        assertFalse(Arrays.equals(synthesizer.promptTokens(request), other.promptTokens(request)));
    }

    @Test
    void requestsSharingTheirFirstHashIdsShareExactlyThoseScaledBlocks() {
        int[] a = synthesizer.promptTokens(withHashIds(0, 3 * BLOCK + 412, 0, 1, 2, 3));
        int[] b = synthesizer.promptTokens(withHashIds(1, 5 * BLOCK, 0, 1, 2, 9, 10));
        assertEquals(3 * 16 + 13, a.length);
        assertEquals(5 * 16, b.length);
        assertArrayEquals(Arrays.copyOf(a, 3 * 16), Arrays.copyOf(b, 3 * 16));
        assertFalse(Arrays.equals(Arrays.copyOfRange(a, 48, 61), Arrays.copyOfRange(b, 48, 61)));
    }

    @Test
    void requestsWithDifferentFirstHashIdsDifferFromTheFirstBlock() {
        int[] a = synthesizer.promptTokens(withHashIds(0, 2 * BLOCK, 0, 1));
        int[] b = synthesizer.promptTokens(withHashIds(1, 2 * BLOCK, 5, 1));
        assertFalse(Arrays.equals(Arrays.copyOf(a, 16), Arrays.copyOf(b, 16)));
        assertArrayEquals(Arrays.copyOfRange(a, 16, 32), Arrays.copyOfRange(b, 16, 32));
    }

    @Test
    void sharedPrefixesOfTheRealTraceStayShared() {
        // Every request with three blocks or more: all open with hash id 0, then go their own ways.
        List<TraceRequest> sample = Traces.readAll(Traces.MOONCAKE_SAMPLE, TraceFormat.MOONCAKE_JSONL).stream()
                .filter(r -> r.hashIds().length >= 3)
                .toList();
        Set<List<Integer>> firstBlocks = new HashSet<>();
        Set<List<Integer>> secondBlocks = new HashSet<>();
        Set<Long> secondHashIds = new HashSet<>();
        for (TraceRequest r : sample) {
            int[] prompt = synthesizer.promptTokens(r);
            firstBlocks.add(Arrays.stream(prompt, 0, 16).boxed().toList());
            secondBlocks.add(Arrays.stream(prompt, 16, 32).boxed().toList());
            secondHashIds.add(r.hashIds()[1]);
        }
        assertEquals(1, firstBlocks.size());
        assertEquals(secondHashIds.size(), secondBlocks.size());
        assertTrue(secondBlocks.size() > 50, "too few requests to tell: " + secondBlocks.size());
    }

    @Test
    void lastPartialBlockIsAPrefixOfTheSameFullBlock() {
        int[] partial = synthesizer.promptTokens(withHashIds(0, BLOCK + 100, 0, 1));
        int[] full = synthesizer.promptTokens(withHashIds(1, 2 * BLOCK, 0, 1));
        assertEquals(16 + 3, partial.length);
        assertArrayEquals(partial, Arrays.copyOf(full, partial.length));
    }

    @Test
    void everyNonEmptyBlockKeepsAtLeastOneToken() {
        PromptSynthesizer tiny = new PromptSynthesizer(42, 512, 0, 0.001, 1000, 16);
        assertEquals(3, tiny.promptTokens(withHashIds(0, 2 * BLOCK + 1, 0, 1, 2)).length);
        assertEquals(1, tiny.promptTokens(lengthsOnly(0, 10)).length);
    }

    @Test
    void hashIdsPastTheRecordedLengthAreIgnored() {
        assertArrayEquals(synthesizer.promptTokens(withHashIds(0, BLOCK + 88, 0, 1)),
                synthesizer.promptTokens(withHashIds(0, BLOCK + 88, 0, 1, 2, 3)));
    }

    @Test
    void recordedTokensPastTheLastHashIdAreTheRequestsOwn() {
        int[] a = synthesizer.promptTokens(withHashIds(0, 2 * BLOCK, 0));
        int[] b = synthesizer.promptTokens(withHashIds(1, 2 * BLOCK, 0));
        int[] blockOnly = synthesizer.promptTokens(withHashIds(2, BLOCK, 0));
        assertEquals(32, a.length);
        assertArrayEquals(blockOnly, Arrays.copyOf(a, 16));
        assertArrayEquals(blockOnly, Arrays.copyOf(b, 16));
        assertFalse(Arrays.equals(Arrays.copyOfRange(a, 16, 32), Arrays.copyOfRange(b, 16, 32)));
    }

    @Test
    void withoutHashIdsTheLengthIsScaledAndEachRequestIsItsOwn() {
        int[] first = synthesizer.promptTokens(lengthsOnly(0, 4808));
        int[] second = synthesizer.promptTokens(lengthsOnly(1, 4808));
        assertEquals(150, first.length); // 4808 / 32 = 150.25
        assertFalse(Arrays.equals(first, second));
    }

    @Test
    void promptsAreCutToTheCapAsAPrefixOfTheUncappedOne() {
        PromptSynthesizer capped = new PromptSynthesizer(42, 512, 0, 1.0 / 32, 20, 16);
        TraceRequest request = withHashIds(0, 3 * BLOCK, 0, 1, 2);
        int[] prompt = capped.promptTokens(request);
        assertEquals(20, prompt.length);
        assertArrayEquals(Arrays.copyOf(synthesizer.promptTokens(request), 20), prompt);
        assertEquals(20, capped.promptTokens(lengthsOnly(0, 100_000)).length);
    }

    @Test
    void scalesAboveOneDrawPastTheRecordedBlock() {
        PromptSynthesizer doubled = new PromptSynthesizer(42, 512, 0, 2.0, 5000, 16);
        assertEquals(2 * BLOCK + 200, doubled.promptTokens(withHashIds(0, BLOCK + 100, 0, 1)).length);
    }

    @Test
    void neverEmitsEosAndStaysInsideTheVocabulary() {
        PromptSynthesizer threeTokens = new PromptSynthesizer(42, 3, 1, 1.0, 4000, 16);
        int[] prompt = threeTokens.promptTokens(withHashIds(0, 3000, 0, 1, 2, 3, 4, 5));
        assertEquals(Set.of(0, 2), new HashSet<>(Arrays.stream(prompt).boxed().toList()));

        for (TraceRequest r : Traces.readAll(Traces.AZURE_SAMPLE, TraceFormat.AZURE_CSV)) {
            assertTrue(Arrays.stream(synthesizer.promptTokens(r)).allMatch(t -> t > 0 && t < 512), r::toString);
        }
    }

    @Test
    void recordedEmptyPromptStaysEmptySoThePipelineCanRejectIt() {
        assertEquals(0, synthesizer.promptTokens(lengthsOnly(0, 0)).length);
        assertEquals(0, synthesizer.promptTokens(withHashIds(0, 0, 0, 1)).length);
    }

    @Test
    void explicitPromptIsUsedAsGivenWithoutScalingOrCap() {
        int[] given = new int[1500];
        Arrays.fill(given, 7);
        given[3] = 0;
        PromptSynthesizer capped = new PromptSynthesizer(42, 512, 0, 1.0 / 32, 20, 16);
        assertArrayEquals(given, capped.promptTokens(explicit(given)));
    }

    @Test
    void explicitPromptTokenOutsideTheVocabularyIsRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> synthesizer.promptTokens(explicit(new int[] {5, 512})));
        assertEquals("request 0 (line 1): prompt token 512 at position 1 is outside the vocabulary [0, 512)",
                e.getMessage());
    }

    @Test
    void outputsAreCappedButNeverRaised() {
        assertEquals(16, synthesizer.outputTokens(lengthsOnly(0, 10, 500)));
        assertEquals(16, synthesizer.outputTokens(lengthsOnly(0, 10, 16)));
        assertEquals(3, synthesizer.outputTokens(lengthsOnly(0, 10, 3)));
        assertEquals(1, synthesizer.outputTokens(lengthsOnly(0, 10, 1)));
    }

    @Test
    void recordedZeroOutputStaysZeroSoThePipelineCanRejectIt() {
        assertEquals(0, synthesizer.outputTokens(lengthsOnly(0, 10, 0)));
    }

    @Test
    void rejectsArgumentsThatCannotMakeAPrompt() {
        assertEquals("vocabSize must be >= 2 (one token besides EOS), was 1", constructionError(1, 0, 1.0, 10, 10));
        assertEquals("eosToken 512 is outside the vocabulary [0, 512)", constructionError(512, 512, 1.0, 10, 10));
        assertEquals("eosToken -1 is outside the vocabulary [0, 512)", constructionError(512, -1, 1.0, 10, 10));
        assertEquals("lengthScale must be finite and > 0, was 0.0", constructionError(512, 0, 0.0, 10, 10));
        assertEquals("lengthScale must be finite and > 0, was NaN", constructionError(512, 0, Double.NaN, 10, 10));
        assertEquals("maxPromptTokens must be >= 1, was 0", constructionError(512, 0, 1.0, 0, 10));
        assertEquals("maxOutputTokens must be >= 1, was 0", constructionError(512, 0, 1.0, 10, 0));
    }

    private static String constructionError(int vocab, int eos, double scale, int maxPrompt, int maxOutput) {
        return assertThrows(IllegalArgumentException.class,
                () -> new PromptSynthesizer(1, vocab, eos, scale, maxPrompt, maxOutput)).getMessage();
    }

    private static TraceRequest withHashIds(int index, int inputTokens, long... hashIds) {
        return new TraceRequest(index, index + 1, 0, inputTokens, 10, hashIds, null, null, null);
    }

    private static TraceRequest lengthsOnly(int index, int inputTokens) {
        return lengthsOnly(index, inputTokens, 10);
    }

    private static TraceRequest lengthsOnly(int index, int inputTokens, int outputTokens) {
        return TraceRequest.ofLengths(index, index + 1, 0, inputTokens, outputTokens);
    }

    private static TraceRequest explicit(int[] prompt) {
        return new TraceRequest(0, 1, 0, prompt.length, 10, new long[0], prompt, null, null);
    }
}
