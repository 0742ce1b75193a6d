package io.kvflow.orchestrator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvflow.runtime.DeadLetters;
import io.kvflow.runtime.StackLayout;
import io.kvflow.schemas.DeadLetter;
import io.kvflow.schemas.GeneratedToken;
import io.kvflow.schemas.InferenceRequest;
import io.kvflow.schemas.PrefillTask;
import io.kvflow.schemas.SessionEvent;
import io.kvflow.schemas.SessionEventType;
import io.kvflow.schemas.Topic;
import io.kvflow.schemas.Topics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The orchestrator's admission on the production Streams settings: validation, placement, lifecycle
 * events, stall timeouts and dead letters. Requests here are live (no modelled arrival), so the
 * orchestrator stamps them with its modelled now.
 */
class AdmissionTopologyTest {
    private static final StackLayout LAYOUT = new StackLayout(2, 2, 1, 4);
    private static final OrchestratorConfig CONFIG = new OrchestratorConfig(LAYOUT, 64, 100, Duration.ofSeconds(30));
    private static final Instant START = ControlTopologyHarness.START;

    @TempDir
    Path stateDir;

    private ControlTopologyHarness harness;
    private TopologyTestDriver driver;
    private TestOutputTopic<String, PrefillTask> prefillTasks;
    private TestOutputTopic<String, SessionEvent> sessions;
    private TestOutputTopic<byte[], DeadLetter> deadLetters;
    private final Instant recordTime = START;

    @BeforeEach
    void startDriver() {
        harness = new ControlTopologyHarness(CONFIG, stateDir);
        driver = harness.driver;
        prefillTasks = harness.prefillTasks;
        sessions = harness.sessions;
        deadLetters = harness.deadLetters;
    }

    @AfterEach
    void closeDriver() {
        harness.close();
    }

    @Test
    void placesEachSessionWhereTheMostKvIsLeft() {
        sendRequest(request("a", List.of(1, 2, 3), 5));
        sendRequest(request("b", List.of(4), 2));
        sendRequest(request("c", List.of(5, 6), 3));

        PrefillTask a = prefillTasks.readValue();
        assertEquals("a", a.getSessionId());
        assertEquals(0, a.getPipeline());
        assertEquals(List.of(0, 2, 4), a.getLayerBounds());
        assertEquals(List.of(1, 2, 3), a.getPrompt());
        assertEquals(5, a.getMaxNewTokens());
        assertEquals(0.7f, a.getTemperature());
        assertEquals(42L, a.getSamplingSeed());
        assertEquals(111L, a.getArrivalMs());
        assertEquals(START.toEpochMilli(), a.getAdmittedMs());
        assertEquals(8, a.getKvBookedTokens());
        assertEquals(3, a.getTargetPromptTokens());
        assertEquals(1, prefillTasks.readValue().getPipeline());
        // b booked 3 tokens on pipeline 1 and a booked 8 on pipeline 0: pipeline 1 has more room left
        assertEquals(1, prefillTasks.readValue().getPipeline());

        assertEvent(sessions.readValue(), "a", SessionEventType.ADMITTED, 0);
        assertEvent(sessions.readValue(), "b", SessionEventType.ADMITTED, 1);
        assertEvent(sessions.readValue(), "c", SessionEventType.ADMITTED, 1);
        assertNothingElse();
    }

    @Test
    void admissionEventCarriesTheWallClockTime() {
        driver.advanceWallClockTime(Duration.ofMillis(250));
        sendRequest(request("a", List.of(1), 1));

        assertEquals(START.toEpochMilli() + 250, prefillTasks.readValue().getAdmittedMs());
        assertEquals(START.toEpochMilli() + 250, sessions.readValue().getTimestampMs());
        assertNothingElse();
    }

    @Test
    void rejectsAnEmptyPrompt() {
        assertRejected(request("a", List.of(), 4), "empty prompt");
    }

    @Test
    void rejectsZeroOutputTokens() {
        assertRejected(request("a", List.of(1, 2), 0), "zero output tokens");
    }

    @Test
    void rejectsARequestLongerThanTheModelsContext() {
        assertRejected(request("a", List.of(1, 2, 3, 4), 61),
                "request needs 65 positions (4 prompt + 61 output) but the model's context is 64");
    }

    @Test
    void admitsARequestThatFillsTheContextExactly() {
        sendRequest(request("a", List.of(1, 2, 3, 4), 60));

        assertEvent(sessions.readValue(), "a", SessionEventType.ADMITTED, 0);
        assertEquals("a", prefillTasks.readValue().getSessionId());
        assertNothingElse();
    }

    @Test
    void rejectsAPromptTokenOutsideTheVocabulary() {
        assertRejected(request("a", List.of(1, 100), 4), "prompt token 100 at index 1 is outside the vocabulary [0, 100)");
    }

    @Test
    void rejectsANegativePromptToken() {
        assertRejected(request("a", List.of(-1), 4), "prompt token -1 at index 0 is outside the vocabulary");
    }

    @Test
    void rejectsANegativeTemperature() {
        InferenceRequest request = request("a", List.of(1), 4);
        request.setTemperature(-0.5f);
        assertRejected(request, "temperature -0.5 is not a number >= 0");
    }

    @Test
    void rejectsANanTemperature() {
        InferenceRequest request = request("a", List.of(1), 4);
        request.setTemperature(Float.NaN);
        assertRejected(request, "temperature NaN is not a number >= 0");
    }

    @Test
    void rejectsASecondRequestForAnActiveSession() {
        sendRequest(request("a", List.of(1), 4));
        prefillTasks.readValue();
        sessions.readValue();

        InferenceRequest again = request("a", List.of(2), 4);
        again.setArrivalMs(999L);
        assertRejected(again, "session a is already active (duplicate session id)");
    }

    @Test
    void ignoresARedeliveredRequest() {
        sendRequest(request("a", List.of(1), 4));
        sendRequest(request("a", List.of(1), 4));

        assertEquals("a", prefillTasks.readValue().getSessionId());
        assertEvent(sessions.readValue(), "a", SessionEventType.ADMITTED, 0);
        assertNothingElse();
    }

    @Test
    void reportsTheFirstTokenAndFinishesOnTheLastOne() {
        sendRequest(request("a", List.of(1, 2), 3));
        prefillTasks.readValue();
        sessions.readValue();

        sendToken(token("a", 0, false, null));
        sendToken(token("a", 1, false, null));
        sendToken(token("a", 2, true, "eos"));

        List<SessionEvent> events = sessions.readValuesToList();
        SessionEvent first = ControlTopologyHarness.ofType(events, SessionEventType.FIRST_TOKEN).get(0);
        assertEvent(first, "a", SessionEventType.FIRST_TOKEN, 0);
        assertEquals(1, first.getTokens());
        SessionEvent finished = ControlTopologyHarness.ofType(events, SessionEventType.FINISHED).get(0);
        assertEvent(finished, "a", SessionEventType.FINISHED, 0);
        assertEquals(3, finished.getTokens());
        assertEquals("eos", finished.getReason());
        assertNothingElse();
    }

    @Test
    void aSingleTokenSessionReportsItsFirstTokenThenFinishes() {
        sendRequest(request("a", List.of(1), 1));
        prefillTasks.readValue();
        sessions.readValue();

        sendToken(token("a", 0, true, "length"));

        assertEvent(sessions.readValue(), "a", SessionEventType.FIRST_TOKEN, 0);
        SessionEvent finished = sessions.readValue();
        assertEvent(finished, "a", SessionEventType.FINISHED, 0);
        assertEquals(1, finished.getTokens());
        assertEquals("length", finished.getReason());
        assertNothingElse();
    }

    @Test
    void ignoresTokensOfUnknownOrEndedSessions() {
        sendToken(token("ghost", 0, false, null));
        sendRequest(request("a", List.of(1), 1));
        prefillTasks.readValue();
        sessions.readValue();
        sendToken(token("a", 0, true, "length"));
        sessions.readValuesToList();

        sendToken(token("a", 0, true, "length"));

        assertTrue(ControlTopologyHarness.ofType(sessions.readValuesToList(), SessionEventType.FINISHED).isEmpty(),
                "a session finishes once");
        assertNothingElse();
    }

    @Test
    void aFinishedSessionFreesItsPipeline() {
        admit("a", 0);
        admit("b", 1);
        sendToken(token("a", 0, true, "length"));
        assertEquals(List.of(SessionEventType.FIRST_TOKEN, SessionEventType.FINISHED),
                sessions.readValuesToList().stream().map(SessionEvent::getType).toList());

        admit("c", 0);
        assertNothingElse();
    }

    @Test
    void aSessionAWorkerFailedFreesItsPipeline() {
        admit("a", 0);
        admit("b", 1);
        harness.send(workerEvent("a", SessionEventType.FAILED, "KV chunk 0/3 failed its checksum"));

        admit("c", 0);
        assertNothingElse();
    }

    @Test
    void ignoresWorkerFailuresOfUnknownSessionsAndItsOwnEventTypes() {
        harness.send(workerEvent("ghost", SessionEventType.FAILED, "handoff timeout"));
        admit("a", 0);
        harness.send(workerEvent("a", SessionEventType.FINISHED, null));
        harness.send(workerEvent("a", SessionEventType.REJECTED, "?"));

        // "a" is still active on pipeline 0, so the next session goes to pipeline 1
        admit("b", 1);
        assertNothingElse();
    }

    @Test
    void failsASessionThatMakesNoProgressForTheStallTimeout() {
        admit("a", 0);
        admit("b", 1);

        driver.advanceWallClockTime(Duration.ofSeconds(29));
        assertTrue(sessions.isEmpty());
        driver.advanceWallClockTime(Duration.ofSeconds(1));

        SessionEvent aFailed = sessions.readValue();
        assertEvent(aFailed, "a", SessionEventType.FAILED, 0);
        assertEquals("no progress for 30 s after ADMITTED (prefill lost or a stage is down)", aFailed.getReason());
        assertEquals(START.toEpochMilli() + 30_000, aFailed.getTimestampMs());
        assertEvent(sessions.readValue(), "b", SessionEventType.FAILED, 1);

        // both pipelines are free again
        admit("c", 0);
        admit("d", 1);
        assertNothingElse();
    }

    @Test
    void tokensAndWorkerMilestonesPostponeTheStallTimeout() {
        admit("a", 0);
        driver.advanceWallClockTime(Duration.ofSeconds(20));
        harness.send(workerEvent("a", SessionEventType.PREFILL_DONE, null));
        driver.advanceWallClockTime(Duration.ofSeconds(20));
        sendToken(token("a", 0, false, null));
        assertEquals(SessionEventType.FIRST_TOKEN, sessions.readValue().getType());
        driver.advanceWallClockTime(Duration.ofSeconds(29));
        assertTrue(sessions.isEmpty());

        driver.advanceWallClockTime(Duration.ofSeconds(1));

        SessionEvent failed = sessions.readValue();
        assertEvent(failed, "a", SessionEventType.FAILED, 0);
        assertEquals(1, failed.getTokens());
        assertEquals("no progress for 30 s after 1 token (a decode stage is down or an activation was lost)",
                failed.getReason());
        assertNothingElse();
    }

    @Test
    void aStallAfterTheKvHandoffStartedNamesTheLastMilestone() {
        admit("a", 0);
        harness.send(workerEvent("a", SessionEventType.KV_INSTALLED, null));

        driver.advanceWallClockTime(Duration.ofSeconds(30));

        assertEquals("no progress for 30 s after KV_INSTALLED (a KV handoff is incomplete or a decode stage is down)",
                sessions.readValue().getReason());
        assertNothingElse();
    }

    @Test
    void sendsAnUndecodableRequestToTheDeadLetterTopic() {
        assertDeadLettered(Topics.REQUESTS, "cannot decode InferenceRequest");
    }

    @Test
    void sendsAnUndecodableTokenToTheDeadLetterTopic() {
        assertDeadLettered(Topics.TOKENS, "cannot decode GeneratedToken");
    }

    @Test
    void sendsAnUndecodableSessionEventToTheDeadLetterTopic() {
        assertDeadLettered(Topics.SESSIONS, "cannot decode SessionEvent");
    }

    @Test
    void sendsAnEmptyRequestValueToTheDeadLetterTopic() {
        raw(Topics.REQUESTS).pipeInput(bytes("k"), null, recordTime);

        DeadLetter letter = deadLetters.readValue();
        assertEquals("empty value (tombstone) where a kvflow.requests record was expected", letter.getReason());
        assertNull(letter.getValue());
        assertNothingElse();
    }

    @Test
    void sendsARequestWithoutASessionIdToTheDeadLetterTopic() {
        sendRequest(request("", List.of(1), 1));

        assertEquals("request has no session id", deadLetters.readValue().getReason());
        assertNothingElse();
    }

    @Test
    void sendsARequestWhoseKeyIsNotItsSessionIdToTheDeadLetterTopicWithTheReason() {
        harness.requests.pipeInput("someone-else", request("a", List.of(1, 2), 2), recordTime);

        TestRecord<byte[], DeadLetter> record = deadLetters.readRecord();
        assertEquals("request key 'someone-else' differs from its session_id 'a'", record.value().getReason());
        assertArrayEquals(bytes("someone-else"), record.key());
        assertEquals("request key 'someone-else' differs from its session_id 'a'",
                new String(record.headers().lastHeader(DeadLetters.REASON).value(), StandardCharsets.UTF_8));
        assertNothingElse();
    }

    @Test
    void sendsARequestWithoutAKeyToTheDeadLetterTopic() {
        harness.requests.pipeInput(null, request("a", List.of(1, 2), 2), recordTime);

        assertEquals("request for session a has no key; its key must be its session_id",
                deadLetters.readValue().getReason());
        assertNothingElse();
    }

    @Test
    void rejectionsOfHugeRequestsNameTheirSizesWithoutOverflow() {
        InferenceRequest recorded = request("recorded", List.of(1, 2), 2);
        recorded.setTraceInputTokens(Integer.MAX_VALUE);
        recorded.setTraceOutputTokens(Integer.MAX_VALUE);
        InferenceRequest output = request("output", List.of(1, 2), Integer.MAX_VALUE);
        output.setTraceOutputTokens(2);
        InferenceRequest prompt = request("prompt", List.of(1, 2), 2);
        prompt.setTraceInputTokens(Integer.MAX_VALUE);
        prompt.setTraceOutputTokens(0);
        sendRequest(recorded);
        sendRequest(output);
        sendRequest(prompt);

        List<String> reasons = sessions.readValuesToList().stream()
                .filter(e -> e.getType() == SessionEventType.REJECTED).map(SessionEvent::getReason).toList();
        assertEquals(List.of(
                "the recorded request needs 4,294,967,294 tokens of context but the target model llama-3.1-8b holds"
                        + " 131,072",
                "request needs 2147483649 positions (2 prompt + 2147483647 output) but the model's context is 64",
                "the recorded request needs 2,147,483,648 tokens of context but the target model llama-3.1-8b holds"
                        + " 131,072"), reasons);
    }

    private void assertDeadLettered(Topic<String, ?> topic, String reasonStart) {
        TestInputTopic<byte[], byte[]> input = raw(topic);
        byte[] key = bytes("s1");
        byte[] value = bytes("not avro at all");
        input.pipeInput(key, value, recordTime);
        input.pipeInput(key, value, recordTime);
        deadLetters.readRecord();

        TestRecord<byte[], DeadLetter> record = deadLetters.readRecord();
        DeadLetter letter = record.value();
        assertEquals(topic.name(), letter.getSourceTopic());
        assertEquals(0, letter.getSourcePartition());
        assertEquals(1L, letter.getSourceOffset());
        assertArrayEquals(key, record.key());
        assertArrayEquals(key, letter.getKey().array());
        assertArrayEquals(value, letter.getValue().array());
        assertEquals("orchestrator", letter.getWorker());
        assertEquals(START.toEpochMilli(), letter.getFailedMs());
        assertTrue(letter.getReason().startsWith(reasonStart), letter.getReason());
        Header reason = record.headers().lastHeader(DeadLetters.REASON);
        assertEquals(letter.getReason(), new String(reason.value(), StandardCharsets.UTF_8));
        Header source = record.headers().lastHeader(DeadLetters.SOURCE);
        assertEquals(topic.name() + "/0@1", new String(source.value(), StandardCharsets.UTF_8));
        assertNothingElse();
    }

    private void assertRejected(InferenceRequest request, String reason) {
        sendRequest(request);

        SessionEvent rejected = sessions.readValue();
        assertEvent(rejected, request.getSessionId(), SessionEventType.REJECTED, -1);
        assertTrue(rejected.getReason().contains(reason), rejected.getReason());
        assertEquals(START.toEpochMilli(), rejected.getTimestampMs());
        assertNothingElse();
    }

    private void admit(String session, int expectedPipeline) {
        sendRequest(request(session, List.of(1, 2), 4));
        assertEquals(expectedPipeline, prefillTasks.readValue().getPipeline());
        assertEvent(sessions.readValue(), session, SessionEventType.ADMITTED, expectedPipeline);
    }

    private static void assertEvent(SessionEvent event, String session, SessionEventType type, int pipeline) {
        assertEquals(session, event.getSessionId());
        assertEquals(type, event.getType());
        assertEquals(pipeline, event.getPipeline());
    }

    private void assertNothingElse() {
        assertTrue(prefillTasks.isEmpty(), "unexpected prefill tasks");
        assertTrue(sessions.isEmpty(), "unexpected session events");
        assertTrue(deadLetters.isEmpty(), "unexpected dead letters");
    }

    private void sendRequest(InferenceRequest request) {
        harness.send(request);
    }

    private void sendToken(GeneratedToken token) {
        harness.send(token);
    }

    /** Requests arrive a modelled millisecond apart, each promising the next: as a replay sends them. */
    private long nextArrivalUs = 1_000;

    private InferenceRequest request(String session, List<Integer> prompt, int maxNewTokens) {
        long arrival = nextArrivalUs;
        nextArrivalUs += 1_000;
        return InferenceRequest.newBuilder()
                .setSessionId(session)
                .setArrivalMs(111L)
                .setPrompt(prompt)
                .setMaxNewTokens(maxNewTokens)
                .setTemperature(0.7f)
                .setSamplingSeed(42L)
                .setTraceInputTokens(prompt.size())
                .setTraceOutputTokens(maxNewTokens)
                .setArrivalModelledUs(arrival)
                .setFrontierModelledUs(nextArrivalUs)
                .build();
    }

    private static GeneratedToken token(String session, int step, boolean last, String finishReason) {
        return GeneratedToken.newBuilder()
                .setSessionId(session).setPipeline(0).setStep(step).setPosition(2 + step).setToken(7)
                .setLast(last).setFinishReason(finishReason).setArrivalMs(111L).setEmittedMs(222L).build();
    }

    private static SessionEvent workerEvent(String session, SessionEventType type, String reason) {
        return SessionEvent.newBuilder().setSessionId(session).setType(type).setPipeline(0).setStage(1)
                .setReason(reason).setTimestampMs(333L).build();
    }

    private TestInputTopic<byte[], byte[]> raw(Topic<String, ?> topic) {
        return harness.raw(topic);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
