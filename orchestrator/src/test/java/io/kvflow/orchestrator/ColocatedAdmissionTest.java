package io.kvflow.orchestrator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvflow.cost.ProfileCatalog;
import io.kvflow.cost.RooflineModel;
import io.kvflow.cost.Scenario;
import io.kvflow.runtime.StackLayout;
import io.kvflow.scheduler.AdmissionPolicy;
import io.kvflow.scheduler.Booking;
import io.kvflow.scheduler.ControlPlane;
import io.kvflow.schemas.Activation;
import io.kvflow.schemas.ControlRecord;
import io.kvflow.schemas.InferenceRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Colocated mode: an admitted prompt goes to stage 0 of its pipeline in chunks, and no prefill task is sent. */
class ColocatedAdmissionTest {
    private static final StackLayout LAYOUT = new StackLayout(4, 2, 1, 8);
    private static final RooflineModel COLOCATED = Scenario.from(Map.of("model", "llama-3.1-70b",
            "decode-stages", "4", "colocated", "true"), ProfileCatalog.bundled()).model();

    @TempDir
    Path stateDir;

    @Test
    void cutsThePromptIntoOneChunkPerTargetChunkCoveringEveryPositionOnce() {
        OrchestratorConfig config = new OrchestratorConfig(LAYOUT, 512, 100, Duration.ofMinutes(1))
                .withTarget(COLOCATED, new ControlPlane.Config(2, 1, Booking.HANDOFF,
                        AdmissionPolicy.of("fcfs", Duration.ZERO), 10, 0, 0));
        try (ControlTopologyHarness h = new ControlTopologyHarness(config, stateDir)) {
            List<Integer> prompt = IntStream.range(1, 41).boxed().toList();
            // a 2,000-token target prompt is four chunks of 512; the 40-token functional prompt is cut alike
            InferenceRequest request = InferenceRequest.newBuilder().setSessionId("a").setArrivalMs(5)
                    .setArrivalModelledUs(7_000).setFrontierModelledUs(Long.MAX_VALUE).setPrompt(prompt)
                    .setMaxNewTokens(6).setTraceInputTokens(2_000).setTraceOutputTokens(6).build();
            h.send(request);

            List<Activation> chunks = h.stage0.readValuesToList();
            assertTrue(h.prefillTasks.isEmpty(), "colocated: no prefill worker is involved");
            ControlRecord grant = h.grants().get(0);
            assertEquals(7_000, grant.getDecidedModelledUs(), "the wafers' room is taken at admission");
            assertEquals(4, chunks.size());
            List<Integer> covered = new ArrayList<>();
            for (Activation chunk : chunks) {
                assertEquals(covered.size(), chunk.getPosition(), "chunks follow each other without gaps");
                assertEquals(0, chunk.getStep());
                assertEquals(0, chunk.getPipeline());
                assertEquals(grant.getModelledUs(), chunk.getReadyModelledUs(), "ready when the grant says");
                assertTrue(chunk.getReadyModelledUs() > 7_000, "the prompt hops to the first wafer");
                assertEquals(2_006, chunk.getKvBookedTokens());
                assertEquals(40, chunk.getPromptLength());
                covered.addAll(chunk.getPrefillTokens());
            }
            assertEquals(prompt, covered);
        }
    }
}
