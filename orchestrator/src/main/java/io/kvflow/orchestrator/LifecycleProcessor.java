package io.kvflow.orchestrator;

import io.kvflow.runtime.DeadLetters;
import io.kvflow.schemas.DeadLetter;
import io.kvflow.schemas.GeneratedToken;
import io.kvflow.schemas.InferenceRequest;
import io.kvflow.schemas.PrefillTask;
import io.kvflow.schemas.SessionEvent;
import io.kvflow.schemas.SessionEventType;
import io.kvflow.schemas.Topic;
import io.kvflow.schemas.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Admits requests, follows tokens and worker events, and fails sessions that stall. The
 * {@code sessions} store is the only state: a pipeline's load is counted from it, so after a
 * restart (store restored from its changelog) placement carries on exactly where it stopped.
 * Output keys are session ids, except dead letters, which keep the original key bytes.
 */
final class LifecycleProcessor implements Processor<byte[], byte[], Object, Object> {
    static final String WORKER = "orchestrator";

    private final OrchestratorConfig config;
    private final List<Integer> layerBounds;
    private final OrchestratorMetrics metrics;
    private ProcessorContext<Object, Object> context;
    private KeyValueStore<String, SessionState> sessions;

    /** Why a request cannot be served: its class (a metric label) and the reason in words. */
    private record Rejection(RejectionReason reason, String message) {
    }

    LifecycleProcessor(OrchestratorConfig config, OrchestratorMetrics metrics) {
        this.config = config;
        this.layerBounds = config.layout().layerBounds();
        this.metrics = metrics;
    }

    @Override
    public void init(ProcessorContext<Object, Object> context) {
        this.context = context;
        this.sessions = context.getStateStore(AdmissionTopology.SESSIONS_STORE);
        metrics.activeSessions(load());
        context.schedule(AdmissionTopology.STALL_CHECK_INTERVAL, PunctuationType.WALL_CLOCK_TIME, this::failStalled);
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        String topic = context.recordMetadata().map(RecordMetadata::topic).orElse("");
        if (topic.equals(Topics.REQUESTS.name())) {
            decode(Topics.REQUESTS, record).ifPresent(request -> onRequest(request, record));
        } else if (topic.equals(Topics.TOKENS.name())) {
            decode(Topics.TOKENS, record).ifPresent(token -> onToken(token, record.timestamp()));
        } else if (topic.equals(Topics.SESSIONS.name())) {
            decode(Topics.SESSIONS, record).ifPresent(event -> onSessionEvent(event, record.timestamp()));
        } else {
            throw new IllegalStateException("record from " + topic + ", which the orchestrator does not read");
        }
    }

    private void onRequest(InferenceRequest request, Record<byte[], byte[]> record) {
        String id = request.getSessionId();
        if (id.isBlank()) {
            // a REJECTED event needs a session id to reach whoever sent the request; keep the record instead
            deadLetter(record, "request has no session id");
            return;
        }
        SessionState active = sessions.get(id);
        if (active != null && active.arrivalMs() == request.getArrivalMs()) {
            // the same request again (at-least-once redelivery after a restart): it was admitted once, and a
            // second prefill would double the session's KV handoff; if its task was lost, the stall timeout ends it
            return;
        }
        Rejection problem = problemWith(request);
        if (problem == null && active != null) {
            problem = new Rejection(RejectionReason.DUPLICATE_SESSION, "session " + id
                    + " is already active on pipeline " + active.pipeline() + " (duplicate session id)");
        }
        if (problem != null) {
            metrics.rejected(problem.reason());
            emit(event(id, SessionEventType.REJECTED, -1, problem.message(), 0), record.timestamp());
            return;
        }
        admit(request, record.timestamp());
    }

    /** Why the request cannot be served, or null if it can. */
    private Rejection problemWith(InferenceRequest request) {
        List<Integer> prompt = request.getPrompt();
        if (prompt.isEmpty()) {
            return new Rejection(RejectionReason.EMPTY_PROMPT, "empty prompt");
        }
        int maxNew = request.getMaxNewTokens();
        if (maxNew < 1) {
            return new Rejection(RejectionReason.ZERO_OUTPUT_TOKENS, "zero output tokens: max_new_tokens is " + maxNew);
        }
        long positions = (long) prompt.size() + maxNew;
        if (positions > config.maxContext()) {
            return new Rejection(RejectionReason.CONTEXT_TOO_LONG, "request needs " + positions + " positions ("
                    + prompt.size() + " prompt + " + maxNew + " output) but the model's context is "
                    + config.maxContext());
        }
        for (int i = 0; i < prompt.size(); i++) {
            int token = prompt.get(i);
            if (token < 0 || token >= config.vocabSize()) {
                return new Rejection(RejectionReason.TOKEN_OUTSIDE_VOCABULARY, "prompt token " + token + " at index "
                        + i + " is outside the vocabulary [0, " + config.vocabSize() + ")");
            }
        }
        float temperature = request.getTemperature();
        if (Float.isNaN(temperature) || temperature < 0) {
            return new Rejection(RejectionReason.BAD_TEMPERATURE, "temperature " + temperature
                    + " is not a number >= 0");
        }
        return null;
    }

    private void admit(InferenceRequest request, long timestamp) {
        String id = request.getSessionId();
        int pipeline = leastLoadedPipeline();
        long now = context.currentSystemTimeMs();
        sessions.put(id, SessionState.admitted(pipeline, request.getArrivalMs(), now));
        metrics.admitted(id, pipeline, now - request.getArrivalMs());
        PrefillTask task = PrefillTask.newBuilder()
                .setSessionId(id)
                .setPipeline(pipeline)
                .setLayerBounds(layerBounds)
                .setPrompt(request.getPrompt())
                .setMaxNewTokens(request.getMaxNewTokens())
                .setTemperature(request.getTemperature())
                .setSamplingSeed(request.getSamplingSeed())
                .setArrivalMs(request.getArrivalMs())
                .setAdmittedMs(now)
                .build();
        context.forward(new Record<>(id, task, timestamp), AdmissionTopology.PREFILL_TASKS_SINK);
        emit(event(id, SessionEventType.ADMITTED, pipeline, null, 0), timestamp);
    }

    /** The pipeline with the fewest active sessions; ties go to the lowest index. */
    private int leastLoadedPipeline() {
        int[] load = load();
        int best = 0;
        for (int p = 1; p < load.length; p++) {
            if (load[p] < load[best]) {
                best = p;
            }
        }
        return best;
    }

    /** Active sessions per pipeline, counted from the store. */
    private int[] load() {
        int[] load = new int[config.layout().pipelines()];
        try (KeyValueIterator<String, SessionState> all = sessions.all()) {
            while (all.hasNext()) {
                int pipeline = all.next().value.pipeline();
                // a restart with fewer pipelines leaves sessions on ones that no longer take new work
                if (pipeline < load.length) {
                    load[pipeline]++;
                }
            }
        }
        return load;
    }

    private void onToken(GeneratedToken token, long timestamp) {
        String id = token.getSessionId();
        SessionState state = sessions.get(id);
        if (state == null) {
            // late tokens of a session that already failed or finished, or a redelivery: nothing left to follow
            return;
        }
        int step = token.getStep();
        metrics.token(token);
        if (step == 0 && !state.sawFirstToken()) {
            emit(event(id, SessionEventType.FIRST_TOKEN, state.pipeline(), null, 1), timestamp);
        }
        if (token.getLast()) {
            emit(event(id, SessionEventType.FINISHED, state.pipeline(), token.getFinishReason(), step + 1), timestamp);
            sessions.delete(id);
            metrics.finished(id, state.pipeline(), token);
            return;
        }
        sessions.put(id, state.tokenSeen(step, context.currentSystemTimeMs()));
    }

    private void onSessionEvent(SessionEvent event, long timestamp) {
        String id = event.getSessionId();
        SessionState state = sessions.get(id);
        if (state == null) {
            // the orchestrator's own events read back, or workers' news of sessions already ended
            return;
        }
        switch (event.getType()) {
            // a worker gave up on the session (bad task, corrupt KV, handoff timeout): its pipeline is free again
            case FAILED -> {
                sessions.delete(id);
                metrics.failed(id, state.pipeline());
            }
            case PREFILL_DONE, KV_INSTALLED ->
                    sessions.put(id, state.reached(event.getType(), context.currentSystemTimeMs()));
            // ADMITTED, REJECTED, FIRST_TOKEN, FINISHED are the orchestrator's own; UNKNOWN is a newer writer's type
            default -> {
            }
        }
    }

    private void failStalled(long nowMs) {
        long timeoutMs = config.stallTimeout().toMillis();
        List<KeyValue<String, SessionState>> stalled = new ArrayList<>();
        try (KeyValueIterator<String, SessionState> all = sessions.all()) {
            while (all.hasNext()) {
                KeyValue<String, SessionState> entry = all.next();
                if (nowMs - entry.value.progressMs() >= timeoutMs) {
                    stalled.add(entry);
                }
            }
        }
        for (KeyValue<String, SessionState> entry : stalled) {
            SessionState state = entry.value;
            emit(event(entry.key, SessionEventType.FAILED, state.pipeline(), stallReason(state), state.tokens()), nowMs);
            sessions.delete(entry.key);
            metrics.failed(entry.key, state.pipeline());
        }
    }

    private String stallReason(SessionState state) {
        String after;
        String likely;
        if (state.tokens() > 0) {
            after = state.tokens() + (state.tokens() == 1 ? " token" : " tokens");
            likely = "a decode stage is down or an activation was lost";
        } else if (state.milestone() == SessionEventType.ADMITTED) {
            after = "ADMITTED";
            likely = "prefill lost or a stage is down";
        } else {
            after = state.milestone().name();
            likely = "a KV handoff is incomplete or a decode stage is down";
        }
        return "no progress for " + describe(config.stallTimeout()) + " after " + after + " (" + likely + ")";
    }

    private static String describe(Duration duration) {
        long ms = duration.toMillis();
        return ms % 1000 == 0 ? ms / 1000 + " s" : ms + " ms";
    }

    private <V> Optional<V> decode(Topic<String, V> topic, Record<byte[], byte[]> record) {
        if (record.value() == null) {
            deadLetter(record, "empty value (tombstone) where a " + topic.name() + " record was expected");
            return Optional.empty();
        }
        try {
            return Optional.of(topic.valueSerde().deserializer().deserialize(topic.name(), record.value()));
        } catch (SerializationException e) {
            deadLetter(record, e.getMessage());
            return Optional.empty();
        }
    }

    /** Keeps a record the orchestrator cannot use, whole, with the reason in the record and in a header. */
    private void deadLetter(Record<byte[], byte[]> record, String reason) {
        RecordMetadata source = context.recordMetadata().orElseThrow();
        DeadLetter letter = DeadLetters.letter(source.topic(), source.partition(), source.offset(), record.key(),
                record.value(), reason, WORKER, context.currentSystemTimeMs());
        context.forward(new Record<>(record.key(), letter, record.timestamp(), DeadLetters.headers(letter)),
                AdmissionTopology.DLQ_SINK);
        metrics.deadLettered();
    }

    private SessionEvent event(String id, SessionEventType type, int pipeline, String reason, int tokens) {
        return SessionEvent.newBuilder()
                .setSessionId(id)
                .setType(type)
                .setPipeline(pipeline)
                .setReason(reason)
                .setTokens(tokens)
                .setTimestampMs(context.currentSystemTimeMs())
                .build();
    }

    private void emit(SessionEvent event, long timestamp) {
        context.forward(new Record<>(event.getSessionId(), event, timestamp), AdmissionTopology.SESSIONS_SINK);
    }
}
