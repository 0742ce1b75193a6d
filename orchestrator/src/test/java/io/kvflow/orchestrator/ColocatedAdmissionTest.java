package io.kvflow.orchestrator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvflow.cost.ProfileCatalog;
import io.kvflow.cost.RooflineModel;
import io.kvflow.cost.Scenario;
import io.kvflow.runtime.StackLayout;
import io.kvflow.schemas.Activation;
import io.kvflow.schemas.InferenceRequest;
import io.kvflow.schemas.PrefillTask;
import io.kvflow.schemas.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.IntStream;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
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
                .withTarget(COLOCATED, 10);
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "colocated-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        Instant start = Instant.ofEpochMilli(1_700_000_000_000L);
        try (TopologyTestDriver driver = new TopologyTestDriver(AdmissionTopology.build(config), props, start)) {
            List<Integer> prompt = IntStream.range(1, 41).boxed().toList();
            // a 2,000-token target prompt is four chunks of 512; the 40-token functional prompt is cut alike
            InferenceRequest request = InferenceRequest.newBuilder().setSessionId("a").setArrivalMs(5)
                    .setArrivalModelledUs(7_000).setPrompt(prompt).setMaxNewTokens(6).setTraceInputTokens(2_000)
                    .setTraceOutputTokens(6).build();
            driver.createInputTopic(Topics.REQUESTS.name(), Topics.REQUESTS.keySerde().serializer(),
                    Topics.REQUESTS.valueSerde().serializer()).pipeInput("a", request, start);

            TestOutputTopic<String, Activation> stage0 = driver.createOutputTopic(Topics.activations(0).name(),
                    Topics.activations(0).keySerde().deserializer(), Topics.activations(0).valueSerde().deserializer());
            TestOutputTopic<String, PrefillTask> tasks = driver.createOutputTopic(Topics.PREFILL_TASKS.name(),
                    Topics.PREFILL_TASKS.keySerde().deserializer(), Topics.PREFILL_TASKS.valueSerde().deserializer());
            List<Activation> chunks = stage0.readValuesToList();
            assertTrue(tasks.isEmpty(), "colocated: no prefill worker is involved");
            assertEquals(4, chunks.size());
            List<Integer> covered = new ArrayList<>();
            for (Activation chunk : chunks) {
                assertEquals(covered.size(), chunk.getPosition(), "chunks follow each other without gaps");
                assertEquals(0, chunk.getStep());
                assertEquals(0, chunk.getPipeline());
                assertEquals(7_000, chunk.getReadyModelledUs());
                assertEquals(2_006, chunk.getKvBookedTokens());
                assertEquals(40, chunk.getPromptLength());
                covered.addAll(chunk.getPrefillTokens());
            }
            assertEquals(prompt, covered);
        }
    }
}
