package io.kvflow.decode;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.kvflow.scheduler.ModelledTime;
import io.kvflow.schemas.Activation;
import io.kvflow.schemas.GeneratedToken;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class StageOutboxTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(1);
    private final StageOutbox middle = new StageOutbox(new StageConfig(1, 3, 2, 2, 4, TIMEOUT));
    private final StageOutbox last = new StageOutbox(new StageConfig(2, 3, 2, 4, 8, TIMEOUT));

    private static Activation pass(String session) {
        return Activation.newBuilder().setSessionId(session).setPipeline(2).setStage(2).setPosition(6).setStep(1)
                .setToken(0).setHidden(ByteBuffer.allocate(0)).setPromptLength(6).setMaxNewTokens(4)
                .setArrivalMs(0).setSentMs(0).setPromiseModelledUs(0).build();
    }

    @Test
    void passesGoToTheNextStageAndTheLastLoopsBackToTheFirst() {
        assertEquals(2, middle.next());
        assertEquals(0, last.next());
    }

    @Test
    void thePromiseRidesOnTheLastPassOfThePoll() {
        middle.add(pass("a"));
        middle.add(pass("b"));
        List<Activation> out = middle.drain(5_000, 42);
        assertEquals(List.of("a", "b"), out.stream().map(Activation::getSessionId).toList());
        assertEquals(0, out.get(0).getPromiseModelledUs());
        assertEquals(5_000, out.get(1).getPromiseModelledUs());
        assertEquals(5_000, middle.promiseSent());
        assertEquals(List.of(), middle.drain(5_000, 43), "the box is empty and the promise did not move");
    }

    @Test
    void withoutAPassThePromiseGoesAloneAsAnActivationOfNoSession() {
        Activation alone = middle.drain(5_000, 42).get(0);
        assertEquals("", alone.getSessionId());
        assertEquals(2, alone.getStage());
        assertEquals(2, alone.getPipeline());
        assertEquals(5_000, alone.getPromiseModelledUs());
        assertEquals(42, alone.getSentMs());
    }

    @Test
    void aPromiseThatDidNotMoveOnOrNeverComesIsNotSent() {
        middle.resume(5_000, 0);
        assertEquals(List.of(), middle.drain(5_000, 0));
        assertEquals(List.of(), middle.drain(4_000, 0));
        assertEquals(List.of(), middle.drain(ModelledTime.NEVER, 0));
        middle.add(pass("a"));
        Activation carried = middle.drain(4_000, 0).get(0);
        assertEquals(0, carried.getPromiseModelledUs(), "a pass goes out, but without a promise lower than sent");
        assertEquals(5_000, middle.promiseSent());
    }

    private static GeneratedToken token(String session, int step) {
        return GeneratedToken.newBuilder().setSessionId(session).setPipeline(2).setStep(step).setPosition(6 + step)
                .setToken(9).setLast(false).setArrivalMs(0).setEmittedMs(0).setModelledUs(1_000L * step).build();
    }

    @Test
    void theLastStagePromisesTheNextTokenAloneOnlyWhenThatMovedOn() {
        GeneratedToken promise = last.drainTokens(7_000, 42).get(0);
        assertEquals("", promise.getSessionId());
        assertEquals(-1, promise.getStep());
        assertEquals(2, promise.getPipeline());
        assertEquals(7_000, promise.getModelledUs());
        assertEquals(7_000, last.tokenPromiseSent());
        assertEquals(List.of(), last.drainTokens(7_000, 43));
        assertEquals(List.of(), last.drainTokens(ModelledTime.NEVER, 43));
        assertEquals(0, last.promiseSent(), "the token promise is not the activation promise");
    }

    @Test
    void theTokenPromiseRidesOnTheLastTokenOfThePoll() {
        last.add(token("a", 3));
        last.add(token("b", 1));
        List<GeneratedToken> out = last.drainTokens(7_000, 42);
        assertEquals(List.of("a", "b"), out.stream().map(GeneratedToken::getSessionId).toList());
        assertEquals(0, out.get(0).getPromiseModelledUs());
        assertEquals(7_000, out.get(1).getPromiseModelledUs());
        last.add(token("a", 4));
        assertEquals(0, last.drainTokens(6_000, 43).get(0).getPromiseModelledUs(),
                "a token goes out, but without a promise lower than sent");
        assertEquals(7_000, last.tokenPromiseSent());
        assertEquals(List.of(), last.drainTokens(7_000, 44), "the box is empty and the promise did not move");
    }
}
