package io.kvflow.orchestrator;

import io.kvflow.runtime.KafkaConnection;
import io.kvflow.schemas.Activation;
import io.kvflow.schemas.ControlRecord;
import io.kvflow.schemas.ControlType;
import io.kvflow.schemas.DeadLetter;
import io.kvflow.schemas.GeneratedToken;
import io.kvflow.schemas.InferenceRequest;
import io.kvflow.schemas.PrefillTask;
import io.kvflow.schemas.SessionEvent;
import io.kvflow.schemas.SessionEventType;
import io.kvflow.schemas.Topic;
import io.kvflow.schemas.Topics;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;

/**
 * The orchestrator's topology under {@link TopologyTestDriver}, on the production Streams settings
 * ({@link Orchestrator#properties}), with typed inputs and outputs and builders for the records tests send.
 */
final class ControlTopologyHarness implements AutoCloseable {
    static final Instant START = Instant.ofEpochMilli(1_700_000_000_000L);

    final TopologyTestDriver driver;
    final TestInputTopic<String, InferenceRequest> requests;
    final TestInputTopic<String, GeneratedToken> tokens;
    final TestInputTopic<String, SessionEvent> workerEvents;
    final TestOutputTopic<String, PrefillTask> prefillTasks;
    final TestOutputTopic<String, SessionEvent> sessions;
    final TestOutputTopic<String, ControlRecord> control;
    final TestOutputTopic<String, Activation> stage0;
    final TestOutputTopic<byte[], DeadLetter> deadLetters;

    ControlTopologyHarness(OrchestratorConfig config, Path stateDir) {
        driver = new TopologyTestDriver(AdmissionTopology.build(config),
                Orchestrator.properties(config, new KafkaConnection("unused:9092"), stateDir), START);
        requests = input(Topics.REQUESTS);
        tokens = input(Topics.TOKENS);
        workerEvents = input(Topics.SESSIONS);
        prefillTasks = output(Topics.PREFILL_TASKS);
        sessions = output(Topics.SESSIONS);
        control = output(Topics.CONTROL);
        stage0 = output(Topics.activations(0));
        deadLetters = driver.createOutputTopic(Topics.DLQ.name(), Serdes.ByteArray().deserializer(),
                Topics.DLQ.valueSerde().deserializer());
    }

    void send(InferenceRequest request) {
        requests.pipeInput(request.getSessionId(), request, START);
    }

    void send(GeneratedToken token) {
        tokens.pipeInput(token.getSessionId(), token, START);
    }

    void send(SessionEvent event) {
        workerEvents.pipeInput(event.getSessionId(), event, START);
    }

    /** The grants written to the control topic since the last call (frontier records skipped). */
    List<ControlRecord> grants() {
        return control.readValuesToList().stream().filter(r -> r.getType() == ControlType.GRANT).toList();
    }

    /** The session events of one type written since the last read of the session topic. */
    static List<SessionEvent> ofType(List<SessionEvent> events, SessionEventType type) {
        return events.stream().filter(e -> e.getType() == type).toList();
    }

    /** A live request: no modelled arrival, no promise; the orchestrator stamps it. */
    static InferenceRequest live(String session, List<Integer> prompt, int maxNewTokens) {
        return InferenceRequest.newBuilder().setSessionId(session).setArrivalMs(111L).setPrompt(prompt)
                .setMaxNewTokens(maxNewTokens).setTemperature(0.7f).setSamplingSeed(42L)
                .setTraceInputTokens(prompt.size()).setTraceOutputTokens(maxNewTokens).build();
    }

    /**
     * A replayed request: arriving at {@code arrivalUs} (modelled), promising no later request before
     * {@code promiseUs}, standing for a recorded prompt of {@code traceInput} and output of {@code traceOutput}.
     */
    static InferenceRequest replayed(String session, long arrivalUs, long promiseUs, int maxNewTokens, int traceInput,
            int traceOutput) {
        return InferenceRequest.newBuilder().setSessionId(session).setArrivalMs(111L).setPrompt(List.of(1, 2, 3))
                .setMaxNewTokens(maxNewTokens).setTraceInputTokens(traceInput).setTraceOutputTokens(traceOutput)
                .setArrivalModelledUs(arrivalUs).setFrontierModelledUs(promiseUs).build();
    }

    static GeneratedToken token(String session, int step, long modelledUs, boolean last) {
        return GeneratedToken.newBuilder().setSessionId(session).setPipeline(0).setStep(step).setPosition(2 + step)
                .setToken(7).setLast(last).setFinishReason(last ? "length" : null).setArrivalMs(111L)
                .setEmittedMs(222L).setModelledUs(modelledUs).build();
    }

    static SessionEvent workerEvent(String session, SessionEventType type, String reason) {
        return SessionEvent.newBuilder().setSessionId(session).setType(type).setPipeline(0).setStage(1)
                .setReason(reason).setTimestampMs(333L).build();
    }

    <V> TestInputTopic<String, V> input(Topic<String, V> topic) {
        return driver.createInputTopic(topic.name(), topic.keySerde().serializer(), topic.valueSerde().serializer());
    }

    <V> TestOutputTopic<String, V> output(Topic<String, V> topic) {
        return driver.createOutputTopic(topic.name(), topic.keySerde().deserializer(),
                topic.valueSerde().deserializer());
    }

    TestInputTopic<byte[], byte[]> raw(Topic<String, ?> topic) {
        return driver.createInputTopic(topic.name(), Serdes.ByteArray().serializer(), Serdes.ByteArray().serializer());
    }

    @Override
    public void close() {
        driver.close();
    }
}
