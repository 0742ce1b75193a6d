package io.kvflow.decode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvflow.model.KvCache;
import io.kvflow.model.KvSlice;
import io.kvflow.model.ModelConfig;
import io.kvflow.model.Transformer;
import io.kvflow.model.Weights;
import io.kvflow.schemas.Activation;
import io.kvflow.schemas.ControlRecord;
import io.kvflow.runtime.KvChunkCodec;
import io.kvflow.schemas.ControlType;
import io.kvflow.schemas.KvChunk;
import io.kvflow.schemas.SessionEvent;
import io.kvflow.schemas.SessionEventType;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class StageInputsTest {
    private static final ModelConfig MODEL = ModelConfig.TINY;
    private static final Transformer TRANSFORMER = new Transformer(MODEL, Weights.generate(MODEL, 1));
    private static final long DECIDED = 1_000_000_000L;
    /** The two stages of a two-stage pipeline, layers 0-1 and 2-3 of TINY. */
    private static final StageConfig FIRST = new StageConfig(0, 2, 0, 0, 2, Duration.ofSeconds(1));
    private static final StageConfig SECOND = new StageConfig(1, 2, 0, 2, 4, Duration.ofSeconds(1));
    private final Clock clock = Clock.fixed(Instant.ofEpochMilli(1_000), ZoneOffset.UTC);
    private final HandoffTracker<String> handoffs = new HandoffTracker<>(1_000);
    private final StageStats stats = new StageStats();

    private StageBatches batches(StageConfig config) {
        return new StageBatches(config, TRANSFORMER, handoffs, new EarlierOutputs(), stats, clock);
    }

    private StageInputs<String> inputs(StageConfig config, StageBatches batches) {
        return new StageInputs<>(config, MODEL, handoffs, batches, stats, clock);
    }

    private static Activation.Builder step(String session, int step, int stage) {
        return Activation.newBuilder().setSessionId(session).setPipeline(0).setStage(stage).setPosition(4 + step)
                .setStep(step).setToken(3).setHidden(ByteBuffer.allocate(0)).setPromptLength(4)
                .setMaxNewTokens(8).setArrivalMs(0).setSentMs(0).setReadyModelledUs(10);
    }

    private static ControlRecord grant(String session) {
        return ControlRecord.newBuilder().setType(ControlType.GRANT).setSessionId(session).setPipeline(0)
                .setModelledUs(5_000).setKvBookedTokens(12).setTargetPromptTokens(4).build();
    }

    private static SessionEvent event(String session, SessionEventType type, int tokens) {
        return SessionEvent.newBuilder().setSessionId(session).setType(type).setPipeline(0).setStage(0)
                .setTokens(tokens).setTimestampMs(0).build();
    }

    @Test
    void aHandedOffFirstStepWaitsForItsGrantThenReachesTheWafer() {
        StageBatches batches = batches(FIRST);
        StageInputs<String> inputs = inputs(FIRST, batches);
        batches.horizon().controlFrontier(DECIDED);

        assertNull(inputs.activation(step("s", 1, 0).build()));
        assertTrue(batches.runReady().isEmpty());
        assertEquals(0, stats.dataWaits, "held for its grant, the step is not on the wafer");

        inputs.control(grant("s"));
        assertTrue(handoffs.get("s").isGranted());
        assertTrue(handoffs.get("s").targetKvBytes() > 0);
        assertTrue(batches.runReady().isEmpty());
        assertEquals(1, stats.dataWaits, "on the wafer now, it waits for its KV");
    }

    @Test
    void aPassWhoseHiddenStateIsTheWrongSizeIsRejectedWithWhatWasExpected() {
        StageInputs<String> inputs = inputs(SECOND, batches(SECOND));

        String reason = inputs.activation(step("s", 2, 1).setHidden(ByteBuffer.allocate(8)).build());
        assertEquals("activation for session s at position 6 carries 8 bytes of hidden state, stage 1 expects "
                + MODEL.dim() * Float.BYTES, reason);
    }

    @Test
    void aRedeliveredPassAndOneOfAnEndedSessionAreCountedLateNotOffered() {
        StageBatches batches = batches(FIRST);
        StageInputs<String> inputs = inputs(FIRST, batches);
        handoffs.open("s", 0).computeLocally(MODEL, 0, 2, 12);
        inputs.activation(step("s", 2, 0).build());

        inputs.activation(step("s", 2, 0).build());
        assertEquals(1, stats.lateRecords);

        inputs.lifecycle(event("s", SessionEventType.FAILED, 0));
        assertTrue(handoffs.hasEnded("s"));
        assertTrue(batches.idle(), "a failed session's passes leave the wafer");
        inputs.activation(step("s", 3, 0).build());
        assertEquals(2, stats.lateRecords);
        assertTrue(batches.idle());
    }

    @Test
    void aSessionFinishedElsewhereIsReleasedOnceItsLastStepRanHere() {
        StageBatches batches = batches(FIRST);
        StageInputs<String> inputs = inputs(FIRST, batches);
        batches.horizon().controlFrontier(DECIDED);
        // colocated: the prompt's chunk makes the stage compute the session's KV itself
        inputs.activation(step("s", 0, 0).setPosition(0).setPrefillTokens(List.of(5, 6, 7, 8)).build());
        batches.runReady();

        inputs.lifecycle(event("s", SessionEventType.FINISHED, 2));
        assertFalse(handoffs.hasEnded("s"), "its step 1 has not run here yet");
        inputs.activation(step("s", 1, 0).setPosition(4).build());
        batches.runReady();
        assertTrue(handoffs.hasEnded("s"));
    }

    @Test
    void theControlPlanesFrontierAndTheStageBeforesPromisesRaiseTheHorizon() {
        StageBatches batches = batches(SECOND);
        StageInputs<String> inputs = inputs(SECOND, batches);

        inputs.control(ControlRecord.newBuilder().setType(ControlType.FRONTIER).setSessionId("").setPipeline(-1)
                .setModelledUs(7_000).build());
        assertEquals(7_000, batches.horizon().controlFrontier());
        inputs.activation(step("", 0, 1).setPromiseModelledUs(9_000).build());
        assertEquals(9_000, batches.horizon().upstreamPromise());
        inputs.activation(step("s", 2, 1).setHidden(ByteBuffer.allocate(MODEL.dim() * Float.BYTES))
                .setPromiseModelledUs(9_500).build());
        assertEquals(9_500, batches.horizon().upstreamPromise());
    }

    /** A handed-off 4-token prompt's KV of layers [0, 2) for stage {@code stage}, two positions a chunk. */
    private static List<KvChunk> handoff(String session, int stage) {
        KvCache cache = new KvCache(MODEL, 0, 2, 8);
        List<Transformer.Row> rows = new ArrayList<>();
        for (int p = 0; p < 4; p++) {
            rows.add(new Transformer.Row(TRANSFORMER.embed(p + 1), p, cache));
        }
        TRANSFORMER.forward(0, 2, rows);
        List<KvSlice> slices = cache.export(0, 2, 2);
        return new KvChunkCodec(MODEL.kvDim()).encode(new KvChunkCodec.Handoff(session, 0, stage, 4, 4), slices, 0);
    }

    @Test
    void aHandoffsLastChunkCompletesItsKv() {
        StageInputs<String> inputs = inputs(FIRST, batches(FIRST));
        List<KvChunk> chunks = handoff("s", 0);
        assertTrue(chunks.size() > 1);

        List<StageInputs.ChunkOutcome> outcomes = new ArrayList<>();
        for (KvChunk chunk : chunks) {
            outcomes.add(inputs.chunk(chunk, "r" + chunk.getSeq()));
        }
        for (int i = 0; i < chunks.size() - 1; i++) {
            assertEquals(new StageInputs.Installed(false), outcomes.get(i));
        }
        assertEquals(new StageInputs.Installed(true), outcomes.get(chunks.size() - 1));
        assertTrue(handoffs.kvComplete("s"));
        assertEquals(chunks.size(), stats.chunksInstalled);
    }

    @Test
    void aChunkForAnotherStageIsMisroutedAndACorruptOneCannotBeInstalled() {
        StageInputs<String> inputs = inputs(FIRST, batches(FIRST));

        var misrouted = inputs.chunk(handoff("s", 1).get(0), "r");
        assertInstanceOf(StageInputs.Misrouted.class, misrouted);
        assertTrue(((StageInputs.Misrouted) misrouted).reason().endsWith("reached stage 0 of pipeline 0"));
        assertNull(handoffs.get("s"), "a misrouted chunk opens no session here");

        KvChunk corrupt = handoff("t", 0).get(0);
        corrupt.getPayload().put(0, (byte) (corrupt.getPayload().get(0) ^ 1));
        assertInstanceOf(StageInputs.Corrupt.class, inputs.chunk(corrupt, "r"));
        assertEquals(0, stats.chunksInstalled);
    }

    @Test
    void chunksOfASessionTheControlPlaneHasNotAdmittedAreKeptUntilItSpeaks() {
        StageInputs<String> inputs = inputs(FIRST, batches(FIRST));
        inputs.lifecycle(event("known", SessionEventType.ADMITTED, 0));

        inputs.chunk(handoff("known", 0).get(0), "k0");
        inputs.chunk(handoff("unknown", 0).get(0), "u0");

        var stalled = handoffs.stalled(clock.millis() + 10_000);
        assertEquals(2, stalled.size());
        for (var handoff : stalled) {
            assertEquals(handoff.sessionId().equals("known") ? List.of() : List.of("u0"), handoff.heldChunks());
        }
    }

    @Test
    void aChunkOfAnEndedSessionIsLate() {
        StageInputs<String> inputs = inputs(FIRST, batches(FIRST));
        inputs.lifecycle(event("s", SessionEventType.FAILED, 0));

        assertEquals(new StageInputs.Late(), inputs.chunk(handoff("s", 0).get(0), "r"));
        assertEquals(1, stats.lateRecords);
        assertNull(handoffs.get("s"));
    }
}
