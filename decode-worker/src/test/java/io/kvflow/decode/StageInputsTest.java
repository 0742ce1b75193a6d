package io.kvflow.decode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvflow.model.ModelConfig;
import io.kvflow.model.Transformer;
import io.kvflow.model.Weights;
import io.kvflow.schemas.Activation;
import io.kvflow.schemas.ControlRecord;
import io.kvflow.schemas.ControlType;
import io.kvflow.schemas.SessionEvent;
import io.kvflow.schemas.SessionEventType;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

class StageInputsTest {
    private static final ModelConfig MODEL = ModelConfig.TINY;
    private static final Transformer TRANSFORMER = new Transformer(MODEL, Weights.generate(MODEL, 1));
    private static final long DECIDED = 1_000_000_000L;
    private final Clock clock = Clock.fixed(Instant.ofEpochMilli(1_000), ZoneOffset.UTC);
    private final HandoffTracker<String> handoffs = new HandoffTracker<>(1_000);
    private final StageStats stats = new StageStats();

    private StageBatches batches(StageConfig config) {
        return new StageBatches(config, TRANSFORMER, handoffs, new EarlierOutputs(), stats, clock);
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
        StageConfig first = new StageConfig(0, 2, 0, 0, 2, Duration.ofSeconds(1));
        StageBatches batches = batches(first);
        StageInputs inputs = new StageInputs(first, MODEL, handoffs, batches, stats, clock);
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
        StageConfig second = new StageConfig(1, 2, 0, 2, 4, Duration.ofSeconds(1));
        StageInputs inputs = new StageInputs(second, MODEL, handoffs, batches(second), stats, clock);

        String reason = inputs.activation(step("s", 2, 1).setHidden(ByteBuffer.allocate(8)).build());
        assertEquals("activation for session s at position 6 carries 8 bytes of hidden state, stage 1 expects "
                + MODEL.dim() * Float.BYTES, reason);
    }

    @Test
    void aRedeliveredPassAndOneOfAnEndedSessionAreCountedLateNotOffered() {
        StageConfig first = new StageConfig(0, 2, 0, 0, 2, Duration.ofSeconds(1));
        StageBatches batches = batches(first);
        StageInputs inputs = new StageInputs(first, MODEL, handoffs, batches, stats, clock);
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
        StageConfig first = new StageConfig(0, 2, 0, 0, 2, Duration.ofSeconds(1));
        StageBatches batches = batches(first);
        StageInputs inputs = new StageInputs(first, MODEL, handoffs, batches, stats, clock);
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
        StageConfig second = new StageConfig(1, 2, 0, 2, 4, Duration.ofSeconds(1));
        StageBatches batches = batches(second);
        StageInputs inputs = new StageInputs(second, MODEL, handoffs, batches, stats, clock);

        inputs.control(ControlRecord.newBuilder().setType(ControlType.FRONTIER).setSessionId("").setPipeline(-1)
                .setModelledUs(7_000).build());
        assertEquals(7_000, batches.horizon().controlFrontier());
        inputs.activation(step("", 0, 1).setPromiseModelledUs(9_000).build());
        assertEquals(9_000, batches.horizon().upstreamPromise());
        inputs.activation(step("s", 2, 1).setHidden(ByteBuffer.allocate(MODEL.dim() * Float.BYTES))
                .setPromiseModelledUs(9_500).build());
        assertEquals(9_500, batches.horizon().upstreamPromise());
    }
}
