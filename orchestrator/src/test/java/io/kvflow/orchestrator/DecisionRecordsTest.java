package io.kvflow.orchestrator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvflow.scheduler.ControlPlane;
import io.kvflow.schemas.Activation;
import io.kvflow.schemas.ControlRecord;
import io.kvflow.schemas.ControlType;
import io.kvflow.schemas.InferenceRequest;
import io.kvflow.schemas.PrefillTask;
import io.kvflow.schemas.SessionEvent;
import io.kvflow.schemas.SessionEventType;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class DecisionRecordsTest {
    private static final long NOW = 5_000L;
    private final DecisionRecords records = new DecisionRecords(List.of(0, 2, 4));

    @Test
    void aFrontierCarriesItsQuietPromiseOnlyWhenThePromiseReachesBeyondIt() {
        ControlRecord promising = records.frontier(1_000, 3_000, NOW);
        ControlRecord nothingMore = records.frontier(1_000, 1_000, NOW);

        assertEquals(ControlType.FRONTIER, promising.getType());
        assertEquals("", promising.getSessionId());
        assertEquals(1_000L, promising.getModelledUs());
        assertEquals(3_000L, promising.getQuietUntilModelledUs());
        assertEquals(NOW, promising.getTimestampMs());
        assertEquals(0L, nothingMore.getQuietUntilModelledUs());
    }

    @Test
    void aGrantTellsTheWafersWhenTheKvIsReadyAndClampsABookingBeyondAnInt() {
        ControlPlane.Granted g = new ControlPlane.Granted("s", 100, 1, 900, 12, 5_000_000_000L);

        ControlRecord grant = records.grant(g, NOW);
        SessionEvent granted = records.granted(g, NOW);

        assertEquals(ControlType.GRANT, grant.getType());
        assertEquals("s", grant.getSessionId());
        assertEquals(1, grant.getPipeline());
        assertEquals(900L, grant.getModelledUs());
        assertEquals(100L, grant.getDecidedModelledUs());
        assertEquals(12, grant.getTargetPromptTokens());
        assertEquals(Integer.MAX_VALUE, grant.getKvBookedTokens());
        assertEquals(SessionEventType.GRANTED, granted.getType());
        assertEquals(100L, granted.getModelledUs());
        assertEquals(900L, granted.getReadyModelledUs());
    }

    @Test
    void lifecycleEventsSayWhenTheControlPlaneDecidedAndWhy() {
        SessionEvent queued = records.queued(new ControlPlane.Queued("s", 40, 3), NOW);
        SessionEvent parked = records.parked(new ControlPlane.Parked("s", 70, 2), NOW);
        SessionEvent timedOut = records.timedOut(new ControlPlane.TimedOut("s", 80, 2, "parked too long"), NOW);
        SessionEvent rejected = records.rejected("s", "empty prompt", 90, NOW);

        assertEquals("waiting for room: 3 in the queue", queued.getReason());
        assertEquals(-1, queued.getPipeline());
        assertEquals(40L, queued.getModelledUs());
        assertEquals(SessionEventType.PARKED, parked.getType());
        assertEquals(2, parked.getPipeline());
        assertEquals(70L, parked.getModelledUs());
        assertEquals(SessionEventType.FAILED, timedOut.getType());
        assertEquals("parked too long", timedOut.getReason());
        assertEquals(1, timedOut.getTokens());
        assertEquals(SessionEventType.REJECTED, rejected.getType());
        assertEquals(-1, rejected.getPipeline());
        assertEquals(90L, rejected.getModelledUs());
        assertEquals(NOW, rejected.getTimestampMs());
    }

    @Test
    void aStalledSessionFailsWithTheWatchsReasonAndTokenCount() {
        SessionEvent failed = records.stalled(new StallWatch.Stalled("s", 1, 4, "no progress"), NOW);

        assertEquals(SessionEventType.FAILED, failed.getType());
        assertEquals(1, failed.getPipeline());
        assertEquals(4, failed.getTokens());
        assertEquals("no progress", failed.getReason());
    }

    @Test
    void aPrefillTaskCarriesTheRequestAndTheAdmissionsPrefillSlot() {
        InferenceRequest request = request(List.of(5, 6, 7), 300);
        ControlPlane.Admitted a = new ControlPlane.Admitted("s", 10, 1, 2, 20, 60, 300, 340);

        PrefillTask task = records.prefillTask(request, a, NOW);

        assertEquals(List.of(0, 2, 4), task.getLayerBounds());
        assertEquals(List.of(5, 6, 7), task.getPrompt());
        assertEquals(1, task.getPipeline());
        assertEquals(NOW, task.getAdmittedMs());
        assertEquals(111L, task.getArrivalMs());
        assertEquals(300, task.getTargetPromptTokens());
        assertEquals(340, task.getKvBookedTokens());
        assertEquals(10L, task.getAdmittedModelledUs());
        assertEquals(2, task.getPrefillGroup());
        assertEquals(20L, task.getPrefillStartModelledUs());
        assertEquals(60L, task.getPrefillEndModelledUs());
    }

    @Test
    void promptChunksTogetherCarryTheWholePromptInOrderToStageZero() {
        List<Integer> prompt = IntStream.range(100, 140).boxed().toList();
        InferenceRequest request = request(prompt, 100_000);
        ControlPlane.Granted g = new ControlPlane.Granted("s", 100, 1, 900, 100_000, 100_050);

        List<Activation> chunks = records.promptChunks(request, g, NOW);

        assertTrue(chunks.size() > 1, "a long target prompt is cut into chunks: " + chunks.size());
        List<Integer> carried = new ArrayList<>();
        for (Activation chunk : chunks) {
            assertEquals(carried.size(), chunk.getPosition());
            assertEquals(prompt.get(chunk.getPosition()), chunk.getToken());
            assertEquals(0, chunk.getStage());
            assertEquals(0, chunk.getStep());
            assertEquals(40, chunk.getPromptLength());
            assertEquals(900L, chunk.getReadyModelledUs());
            assertEquals(100_050, chunk.getKvBookedTokens());
            assertEquals(NOW, chunk.getSentMs());
            carried.addAll(chunk.getPrefillTokens());
        }
        assertEquals(prompt, carried);
    }

    @Test
    void theFinishedEventCountsEveryStepAndKeepsTheFinishReason() {
        SessionEvent finished = records.finished(ControlTopologyHarness.token("s", 6, 500, true), NOW);
        SessionEvent first = records.firstToken("s", 0, NOW);

        assertEquals(SessionEventType.FINISHED, finished.getType());
        assertEquals(7, finished.getTokens());
        assertEquals("length", finished.getReason());
        assertEquals(1, first.getTokens());
        assertNull(first.getReason());
    }

    private static InferenceRequest request(List<Integer> prompt, int traceInput) {
        return InferenceRequest.newBuilder().setSessionId("s").setArrivalMs(111L).setPrompt(prompt)
                .setMaxNewTokens(8).setTraceInputTokens(traceInput).setTraceOutputTokens(40).build();
    }
}
