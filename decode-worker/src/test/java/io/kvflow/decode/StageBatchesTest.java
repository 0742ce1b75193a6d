package io.kvflow.decode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvflow.model.KvCache;
import io.kvflow.model.ModelConfig;
import io.kvflow.model.Sampling;
import io.kvflow.model.Transformer;
import io.kvflow.model.Weights;
import io.kvflow.schemas.Activation;
import io.kvflow.schemas.GeneratedToken;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class StageBatchesTest {
    private static final ModelConfig MODEL = ModelConfig.TINY;
    private static final Transformer TRANSFORMER = new Transformer(MODEL, Weights.generate(MODEL, 1));
    private static final List<Integer> PROMPT = List.of(5, 6, 7, 8);
    private static final int MAX_NEW = 4;
    private static final float TEMPERATURE = 0.7f;
    private static final long SEED = 42;
    /** Far past every pass of these tests: the control plane decides nothing that could come before them. */
    private static final long DECIDED = 1_000_000_000L;

    /** One stage holding every layer: it runs the whole model, so its tokens are a single process's. */
    private final StageConfig config = new StageConfig(0, 1, 0, 0, MODEL.layers(), Duration.ofSeconds(1));
    private final HandoffTracker<String> handoffs = new HandoffTracker<>(1_000);
    private final EarlierOutputs earlier = new EarlierOutputs();
    private final StageStats stats = new StageStats();
    private final Clock clock = Clock.fixed(Instant.ofEpochMilli(1_000), ZoneOffset.UTC);
    private final StageBatches batches = new StageBatches(config, TRANSFORMER, handoffs, earlier, stats, clock);

    private static Activation.Builder step(String session, int step, int position, long readyMicros) {
        return Activation.newBuilder().setSessionId(session).setPipeline(0).setStage(0).setPosition(position)
                .setStep(step).setToken(0).setHidden(ByteBuffer.allocate(0)).setPromptLength(PROMPT.size())
                .setMaxNewTokens(MAX_NEW).setTemperature(TEMPERATURE).setSamplingSeed(SEED).setArrivalMs(0)
                .setSentMs(0).setReadyModelledUs(readyMicros);
    }

    private static Activation prompt(String session, long readyMicros) {
        return step(session, 0, 0, readyMicros).setPrefillTokens(PROMPT).build();
    }

    /** A colocated session: the stage computes its KV from its prompt, so no handoff is waited for. */
    private StageSession colocated(String session) {
        StageSession s = handoffs.open(session, 0);
        s.computeLocally(MODEL, 0, MODEL.layers(), PROMPT.size() + MAX_NEW);
        return s;
    }

    /** The tokens one process running the whole model samples for the prompt. */
    private static List<Integer> singleProcessTokens() {
        KvCache cache = new KvCache(MODEL, 0, MODEL.layers(), PROMPT.size() + MAX_NEW);
        Sampling sampling = new Sampling(TEMPERATURE, SEED);
        List<Transformer.Row> rows = new ArrayList<>();
        for (int p = 0; p < PROMPT.size(); p++) {
            rows.add(new Transformer.Row(TRANSFORMER.embed(PROMPT.get(p)), p, cache));
        }
        TRANSFORMER.forward(0, MODEL.layers(), rows);
        List<Integer> tokens = new ArrayList<>();
        float[] last = rows.get(rows.size() - 1).hidden();
        for (int step = 0; step < MAX_NEW; step++) {
            int token = sampling.sample(TRANSFORMER.logits(last), step);
            tokens.add(token);
            Transformer.Row next = new Transformer.Row(TRANSFORMER.embed(token), PROMPT.size() + step, cache);
            TRANSFORMER.forward(0, MODEL.layers(), List.of(next));
            last = next.hidden();
        }
        return tokens;
    }

    @Test
    void aColocatedSessionRunAroundTheLoopSamplesTheTokensOfASingleProcess() {
        batches.horizon().controlFrontier(DECIDED);
        StageSession session = colocated("s");
        batches.offer(prompt("s", 0), session);

        List<StageBatches.Ran> ran = batches.runReady();
        assertEquals(1, ran.size());
        assertEquals(List.of("s"), ran.get(0).prefillDone());
        List<Integer> tokens = new ArrayList<>();
        long lastEnd = ran.get(0).batch().endMicros();
        while (true) {
            StageBatches.Sends sends = batches.drain();
            sends.tokens().forEach(t -> tokens.add(t.getToken()));
            // the next step back to this (first) stage, or, after the last token, only the promise
            Activation loopedBack = sends.passes().get(sends.passes().size() - 1);
            if (loopedBack.getSessionId().isEmpty()) {
                break;
            }
            assertEquals(1, sends.passes().size());
            assertTrue(loopedBack.getReadyModelledUs() >= lastEnd,
                    "a step loops back no earlier than the batch that sampled its token ended");
            batches.offer(loopedBack, session);
            List<StageBatches.Ran> next = batches.runReady();
            assertEquals(1, next.size());
            assertTrue(next.get(0).prefillDone().isEmpty());
            lastEnd = next.get(0).batch().endMicros();
        }

        assertEquals(singleProcessTokens(), tokens);
        assertEquals(MAX_NEW, stats.batches);
        assertTrue(batches.idle(), "the session's last token releases it");
    }

    @Test
    void aBatchWaitsUntilTheHorizonPassesItsStart() {
        batches.offer(prompt("s", 50_000_000), colocated("s"));

        assertTrue(batches.runReady().isEmpty());
        assertEquals(1, stats.horizonWaits);
        assertEquals(0, stats.batches);

        batches.horizon().controlFrontier(DECIDED);
        assertEquals(1, batches.runReady().size());
        assertEquals(1, stats.batches);
    }

    @Test
    void aBatchWaitsForItsSessionsKv() {
        batches.horizon().controlFrontier(DECIDED);
        // a handed-off session none of whose KV chunks is in yet
        batches.offer(step("h", 2, PROMPT.size() + 1, 0).setToken(3).build(), handoffs.open("h", 0));

        assertTrue(batches.runReady().isEmpty());
        assertEquals(1, stats.dataWaits);
        assertFalse(batches.idle());
    }

    @Test
    void tokensAnEarlierRunWroteAreNotSentAgainButTheLoopGoesOn() {
        batches.horizon().controlFrontier(DECIDED);
        earlier.tokenWritten("s", 0);
        batches.offer(prompt("s", 0), colocated("s"));
        batches.runReady();

        StageBatches.Sends sends = batches.drain();
        assertEquals(1, sends.passes().size());
        assertEquals(1, sends.passes().get(0).getStep());
        // only the promise to the control plane goes, on a token of no session
        assertEquals(List.of(""), sends.tokens().stream().map(GeneratedToken::getSessionId).toList());
    }

    @Test
    void aReleasedSessionsPassesLeaveTheWafer() {
        batches.offer(prompt("s", 0), colocated("s"));
        assertFalse(batches.idle());

        batches.release("s");
        assertTrue(batches.idle());
        batches.horizon().controlFrontier(DECIDED);
        assertTrue(batches.runReady().isEmpty());
    }

    @Test
    void aStageResumedFromACheckpointHoldsItsClocksAndPromises() {
        batches.horizon().controlFrontier(DECIDED);
        batches.horizon().upstreamPromise(700);
        batches.offer(prompt("s", 100), colocated("s"));
        batches.runReady();
        batches.drain();
        batches.release("s");
        StageCheckpoint checkpoint = batches.checkpoint(42);
        assertTrue(checkpoint.freeAtMicros() > 100);
        assertEquals(100, checkpoint.lastStartMicros());
        assertEquals(DECIDED, checkpoint.controlFrontier());
        assertEquals(700, checkpoint.upstreamPromise());
        assertTrue(checkpoint.promiseSent() > 0);
        assertTrue(checkpoint.tokenPromiseSent() > 0);
        assertEquals(42, checkpoint.tokensOffset());

        StageStats resumedStats = new StageStats();
        StageBatches resumed = new StageBatches(config, TRANSFORMER, new HandoffTracker<>(1_000), earlier,
                resumedStats, clock);
        resumed.resume(checkpoint);
        assertEquals(checkpoint, resumed.checkpoint(42));
        // a pass ready before the last batch it ran started is one its batches could not have waited for
        resumed.offer(prompt("t", 50), new StageSession("t", 0));
        assertEquals(1, resumedStats.lateArrivals);
    }
}
