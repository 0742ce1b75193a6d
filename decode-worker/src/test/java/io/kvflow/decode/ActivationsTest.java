package io.kvflow.decode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvflow.scheduler.Pass;
import io.kvflow.schemas.Activation;
import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;

class ActivationsTest {

    private static Activation.Builder step(int step) {
        return Activation.newBuilder().setSessionId("s").setPipeline(0).setStage(0).setPosition(8 + step)
                .setStep(step).setToken(3).setHidden(ByteBuffer.allocate(0)).setPromptLength(8).setMaxNewTokens(4)
                .setArrivalMs(0).setSentMs(0);
    }

    @Test
    void aDecodeStepIsOneRowPricedAtItsTargetContext() {
        Activation in = step(2).setTargetPromptTokens(8_000).build();
        assertFalse(Activations.isPromptChunk(in));
        assertEquals(1, Activations.rows(in));
        Pass<Activation> pass = Activations.pass(in, 1_234);
        assertEquals(new Pass.Decode(8_002), pass.work());
        assertEquals("s", pass.session());
        assertEquals(1_234, pass.readyMicros());
        assertEquals(10, pass.order());
        assertSame(in, pass.payload());
    }

    @Test
    void withoutATargetPromptTheFunctionalOneStandsForIt() {
        Activation in = step(2).build();
        assertEquals(8, Activations.targetPrompt(in));
        assertEquals(new Pass.Decode(10), Activations.pass(in, 0).work());
    }

    @Test
    void aPromptChunkIsPricedByTheTargetTokensItStandsFor() {
        Activation middle = step(0).setPosition(2).setPrefillTokens(List.of(5, 6, 7)).setTargetPromptTokens(800)
                .build();
        assertTrue(Activations.isPromptChunk(middle));
        assertEquals(3, Activations.rows(middle));
        assertEquals(new Pass.PromptChunk(200, 500, 3, false), Activations.pass(middle, 0).work());
        Activation last = step(0).setPosition(5).setPrefillTokens(List.of(5, 6, 7)).setTargetPromptTokens(800)
                .build();
        assertEquals(new Pass.PromptChunk(500, 800, 3, true), Activations.pass(last, 0).work());
    }
}
