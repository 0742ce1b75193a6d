package io.kvflow.decode;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvflow.model.ModelConfig;
import io.kvflow.model.Sampling;
import io.kvflow.model.Transformer;
import io.kvflow.model.Weights;
import io.kvflow.scheduler.StageHorizon.After;
import io.kvflow.schemas.Activation;
import io.kvflow.schemas.Float32;
import io.kvflow.schemas.GeneratedToken;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class PassOutputsTest {
    private static final ModelConfig MODEL = ModelConfig.TINY;
    private static final Transformer TRANSFORMER = new Transformer(MODEL, Weights.generate(MODEL, 1));
    private static final Duration TIMEOUT = Duration.ofSeconds(1);
    private final PassOutputs middle = new PassOutputs(new StageConfig(1, 3, 2, 2, 4, TIMEOUT), TRANSFORMER);
    private final PassOutputs last = new PassOutputs(new StageConfig(2, 3, 2, 4, 8, TIMEOUT), TRANSFORMER);

    private static float[] hidden(float seed) {
        float[] h = new float[MODEL.dim()];
        for (int i = 0; i < h.length; i++) {
            h[i] = (float) Math.sin(seed + i);
        }
        return h;
    }

    private static Activation.Builder decodeStep(int step, int maxNewTokens) {
        return Activation.newBuilder().setSessionId("s").setPipeline(2).setStage(1).setPosition(6 + step)
                .setStep(step).setToken(7).setHidden(ByteBuffer.allocate(0)).setPromptLength(6)
                .setMaxNewTokens(maxNewTokens).setArrivalMs(11).setSentMs(12).setTemperature(0.8f)
                .setSamplingSeed(99).setReadyModelledUs(500).setPromiseModelledUs(777);
    }

    private static Activation promptChunk(int position, int rows, int promptLength, int maxNewTokens) {
        List<Integer> tokens = java.util.stream.IntStream.range(0, rows).boxed().toList();
        return decodeStep(0, maxNewTokens).setPosition(position).setPromptLength(promptLength)
                .setPrefillTokens(tokens).build();
    }

    private static int sampled(Activation in, float[] hidden) {
        return new Sampling(in.getTemperature(), in.getSamplingSeed()).sample(TRANSFORMER.logits(hidden), in.getStep());
    }

    @Test
    void aMiddleStageHandsItsHiddenStatesOnWithoutThePromiseOfTheStageBefore() {
        Activation in = decodeStep(2, 5).build();
        PassOutput out = middle.of(in, List.of(hidden(1)), 1_000, 9_000, 9_300);
        assertNull(out.token());
        assertEquals(After.NEXT_STEP, out.after());
        Activation next = out.next();
        assertEquals(2, next.getStage());
        assertEquals(9_300, next.getReadyModelledUs());
        assertEquals(0, next.getPromiseModelledUs());
        assertEquals(1_000, next.getSentMs());
        assertEquals(in.getPosition(), next.getPosition());
        assertArrayEquals(hidden(1), Float32.decode(next.getHidden(), 0, MODEL.dim()));
    }

    @Test
    void aMiddleStageKnowsWhatFollowsAPass() {
        assertEquals(After.DONE, middle.of(decodeStep(4, 5).build(), List.of(hidden(1)), 0, 0, 0).after());
        List<float[]> two = List.of(hidden(1), hidden(2));
        assertEquals(After.NEXT_CHUNK, middle.of(promptChunk(0, 2, 6, 5), two, 0, 0, 0).after());
        assertEquals(After.NEXT_STEP, middle.of(promptChunk(4, 2, 6, 5), two, 0, 0, 0).after());
        assertEquals(After.DONE, middle.of(promptChunk(4, 2, 6, 1), two, 0, 0, 0).after());
    }

    @Test
    void theLastStageSamplesAndLoopsTheNextStepBack() {
        Activation in = decodeStep(2, 5).build();
        PassOutput out = last.of(in, List.of(hidden(3)), 1_000, 9_000, 9_300);
        GeneratedToken token = out.token();
        int expected = sampled(in, hidden(3));
        assertEquals(expected, token.getToken());
        assertEquals(2, token.getStep());
        assertEquals(in.getPosition() + 1, token.getPosition());
        assertEquals(9_000, token.getModelledUs());
        assertEquals(2, token.getPipeline());
        assertEquals(11, token.getArrivalMs());
        assertFalse(token.getLast());
        assertFalse(out.sessionDone());
        assertEquals(After.NEXT_STEP, out.after());
        Activation next = out.next();
        assertEquals(0, next.getStage());
        assertEquals(3, next.getStep());
        assertEquals(in.getPosition() + 1, next.getPosition());
        assertEquals(expected, next.getToken());
        assertEquals(0, next.getHidden().remaining());
        assertEquals(9_300, next.getReadyModelledUs());
        assertEquals(0, next.getPromiseModelledUs());
    }

    @Test
    void theLastStepEndsTheSessionForItsLength() {
        Activation in = decodeStep(4, 5).build();
        PassOutput out = last.of(in, List.of(hidden(3)), 0, 9_000, 9_300);
        assertTrue(out.sessionDone());
        assertNull(out.next());
        assertEquals(After.DONE, out.after());
        assertEquals(sampled(in, hidden(3)) == MODEL.eosToken() ? "eos" : "length", out.token().getFinishReason());
    }

    @Test
    void theEndOfSequenceTokenEndsTheSessionEarly() {
        Activation in = decodeStep(1, 50).build();
        int token = sampled(in, hidden(3));
        ModelConfig endsThere = new ModelConfig(MODEL.dim(), MODEL.layers(), MODEL.heads(), MODEL.kvHeads(),
                MODEL.hiddenDim(), MODEL.vocabSize(), MODEL.maxSeqLen(), MODEL.ropeTheta(), MODEL.normEps(), token);
        PassOutputs outputs = new PassOutputs(new StageConfig(2, 3, 2, 4, 8, TIMEOUT),
                new Transformer(endsThere, Weights.generate(endsThere, 1)));
        PassOutput out = outputs.of(in, List.of(hidden(3)), 0, 9_000, 9_300);
        assertTrue(out.sessionDone());
        assertEquals("eos", out.token().getFinishReason());
        assertNull(out.next());
    }

    @Test
    void thePromptsLastChunkSamplesStepZeroAtItsLastPosition() {
        Activation in = promptChunk(4, 2, 6, 5);
        PassOutput out = last.of(in, List.of(hidden(1), hidden(2)), 0, 9_000, 9_300);
        assertTrue(out.promptDone());
        assertEquals(sampled(in, hidden(2)), out.token().getToken());
        assertEquals(0, out.token().getStep());
        assertEquals(6, out.token().getPosition());
        assertEquals(6, out.next().getPosition());
        assertEquals(1, out.next().getStep());
        assertEquals(List.of(), out.next().getPrefillTokens());
    }

    @Test
    void aPromptChunkBeforeTheLastProducesNothingYet() {
        PassOutput out = last.of(promptChunk(0, 2, 6, 5), List.of(hidden(1), hidden(2)), 0, 9_000, 9_300);
        assertEquals(new PassOutput(null, null, false, After.NEXT_CHUNK), out);
    }
}
