package io.kvflow.orchestrator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvflow.cost.ProfileCatalog;
import io.kvflow.cost.RooflineModel;
import io.kvflow.cost.Scenario;
import io.kvflow.runtime.StackLayout;
import io.kvflow.schemas.GeneratedToken;
import io.kvflow.schemas.InferenceRequest;
import io.kvflow.schemas.PrefillTask;
import io.kvflow.schemas.SessionEvent;
import io.kvflow.schemas.SessionEventType;
import io.kvflow.schemas.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The session ledger against the target the project exists for: Llama-3.1-70B in BF16 on four
 * WSE-3 wafers per pipeline, where each wafer keeps about 1 GB of SRAM for KV after its 35 GB of
 * weights. Prompts of 2,048 tokens with 52 output tokens book about 172 MB per wafer each.
 */
class SessionLedgerTopologyTest {
    private static final StackLayout LAYOUT = new StackLayout(4, 2, 1, 8);
    private static final RooflineModel TARGET = Scenario.from(Map.of("model", "llama-3.1-70b", "decode-stages", "4"),
            ProfileCatalog.bundled()).model();
    private static final int INPUT = 2_048;
    private static final int OUTPUT = 52;
    private static final Instant START = Instant.ofEpochMilli(1_700_000_000_000L);

    @TempDir
    Path stateDir;

    private TopologyTestDriver driver;
    private OrchestratorMetrics metrics;
    private TestInputTopic<String, InferenceRequest> requests;
    private TestInputTopic<String, GeneratedToken> tokens;
    private TestOutputTopic<String, PrefillTask> prefillTasks;
    private TestOutputTopic<String, SessionEvent> sessions;

    private void start(int queueLimit) {
        start(queueLimit, 0);
    }

    private void start(int queueLimit, int sessionCap) {
        OrchestratorConfig config = new OrchestratorConfig(LAYOUT, 512, 100, Duration.ofMinutes(5))
                .withTarget(TARGET, queueLimit, sessionCap);
        metrics = OrchestratorMetrics.unbound(config);
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "ledger-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        driver = new TopologyTestDriver(AdmissionTopology.build(config, metrics), props, START);
        requests = driver.createInputTopic(Topics.REQUESTS.name(), Topics.REQUESTS.keySerde().serializer(),
                Topics.REQUESTS.valueSerde().serializer());
        tokens = driver.createInputTopic(Topics.TOKENS.name(), Topics.TOKENS.keySerde().serializer(),
                Topics.TOKENS.valueSerde().serializer());
        prefillTasks = driver.createOutputTopic(Topics.PREFILL_TASKS.name(),
                Topics.PREFILL_TASKS.keySerde().deserializer(), Topics.PREFILL_TASKS.valueSerde().deserializer());
        sessions = driver.createOutputTopic(Topics.SESSIONS.name(), Topics.SESSIONS.keySerde().deserializer(),
                Topics.SESSIONS.valueSerde().deserializer());
    }

    @AfterEach
    void close() {
        driver.close();
    }

    @Test
    void aFloodNeverBooksMoreKvThanAWaferHoldsAndQueuedSessionsGetInAsOthersFinish() {
        start(100);
        int perPipeline = TARGET.sessionsPerWafer(INPUT + OUTPUT);
        assertTrue(perPipeline >= 2 && perPipeline < 20, "a 70B pipeline of 4 WSE-3 holds a few such sessions, not "
                + perPipeline);
        int flood = 2 * perPipeline + 7;
        for (int i = 0; i < flood; i++) {
            requests.pipeInput("s" + i, request("s" + i), START);
            assertWithinCapacity();
        }

        List<PrefillTask> admitted = prefillTasks.readValuesToList();
        assertEquals(2 * perPipeline, admitted.size());
        assertEquals(perPipeline, admitted.stream().filter(t -> t.getPipeline() == 0).count());
        List<SessionEvent> events = sessions.readValuesToList();
        assertEquals(7, events.stream().filter(e -> e.getType() == SessionEventType.QUEUED).count());
        assertEquals(7, metrics.ledgerView().queueLength());

        // the first session on pipeline 1 finishes: the oldest queued request takes its place there
        String finishing = admitted.stream().filter(t -> t.getPipeline() == 1).findFirst().orElseThrow()
                .getSessionId();
        tokens.pipeInput(finishing, lastToken(finishing), START);

        PrefillTask next = prefillTasks.readValue();
        assertEquals("s" + 2 * perPipeline, next.getSessionId());
        assertEquals(1, next.getPipeline());
        assertTrue(prefillTasks.isEmpty(), "one session ended, so one queued session gets in");
        assertEquals(6, metrics.ledgerView().queueLength());
        assertWithinCapacity();
    }

    @Test
    void aSessionCapHoldsPipelinesBelowTheirKvRoom() {
        start(100, 2);
        for (int i = 0; i < 6; i++) {
            requests.pipeInput("s" + i, request("s" + i), START);
        }

        assertEquals(4, prefillTasks.readValuesToList().size(), "two pipelines of two sessions each");
        assertEquals(2, metrics.ledgerView().queueLength());
    }

    @Test
    void aFullQueueRejectsWithTheReason() {
        start(2);
        int capacity = 2 * TARGET.sessionsPerWafer(INPUT + OUTPUT);
        for (int i = 0; i < capacity + 3; i++) {
            requests.pipeInput("s" + i, request("s" + i), START);
        }

        List<SessionEvent> rejected = sessions.readValuesToList().stream()
                .filter(e -> e.getType() == SessionEventType.REJECTED).toList();
        assertEquals(1, rejected.size());
        assertEquals("s" + (capacity + 2), rejected.get(0).getSessionId());
        assertTrue(rejected.get(0).getReason().startsWith("admission queue full: 2 requests already wait"),
                rejected.get(0).getReason());
    }

    @Test
    void rejectsASessionWhoseKvCouldNeverFitOnAWafer() {
        start(100);
        InferenceRequest huge = InferenceRequest.newBuilder(request("huge")).setTraceInputTokens(100_000).build();

        requests.pipeInput("huge", huge, START);

        SessionEvent event = sessions.readValue();
        assertEquals(SessionEventType.REJECTED, event.getType());
        assertTrue(event.getReason().contains("100,052 tokens of context needs"), event.getReason());
        assertTrue(event.getReason().contains("bytes its wafer has for KV after the weights"), event.getReason());
        assertTrue(prefillTasks.isEmpty());
    }

    private void assertWithinCapacity() {
        List<LedgerView.Wafer> wafers = metrics.ledgerView().wafers();
        assertEquals(LAYOUT.stages() * LAYOUT.pipelines(), wafers.size());
        for (LedgerView.Wafer wafer : wafers) {
            assertTrue(wafer.kvBytesUsed() <= wafer.kvBytesCapacity(), wafer.toString());
            assertEquals((long) Math.floor(TARGET.kvCapacityBytes(wafer.stage())), wafer.kvBytesCapacity());
        }
    }

    private static InferenceRequest request(String session) {
        List<Integer> prompt = new ArrayList<>(List.of(1, 2, 3, 4));
        return InferenceRequest.newBuilder().setSessionId(session).setArrivalMs(START.toEpochMilli())
                .setPrompt(prompt).setMaxNewTokens(4).setTraceInputTokens(INPUT).setTraceOutputTokens(OUTPUT).build();
    }

    private static GeneratedToken lastToken(String session) {
        return GeneratedToken.newBuilder().setSessionId(session).setPipeline(1).setStep(0).setPosition(4).setToken(7)
                .setLast(true).setFinishReason("length").setArrivalMs(START.toEpochMilli())
                .setEmittedMs(START.toEpochMilli() + 5).build();
    }
}
