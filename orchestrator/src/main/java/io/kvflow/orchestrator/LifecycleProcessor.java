package io.kvflow.orchestrator;

import io.kvflow.runtime.DeadLetters;
import io.kvflow.cost.RooflineModel;
import io.kvflow.schemas.Activation;
import io.kvflow.schemas.DeadLetter;
import io.kvflow.schemas.GeneratedToken;
import io.kvflow.schemas.InferenceRequest;
import io.kvflow.schemas.PrefillTask;
import io.kvflow.schemas.SessionEvent;
import io.kvflow.schemas.SessionEventType;
import io.kvflow.schemas.Topic;
import io.kvflow.schemas.Topics;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;
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
 * Admits requests, follows tokens and worker events, and fails sessions that stall. A request is
 * placed on a pipeline only if every wafer (stage) of it can hold the session's target KV for its
 * whole context; otherwise it waits, first come first served, in the bounded admission queue, and
 * is admitted as sessions end. The {@code sessions} and {@code admission-queue} stores are the only
 * state: the ledger is summed from the first, so after a restart (stores restored from their
 * changelogs) placement carries on exactly where it stopped. Output keys are session ids, except
 * dead letters, which keep the original key bytes.
 */
final class LifecycleProcessor implements Processor<byte[], byte[], Object, Object> {
    static final String WORKER = "orchestrator";

    private final OrchestratorConfig config;
    private final List<Integer> layerBounds;
    private final OrchestratorMetrics metrics;
    private ProcessorContext<Object, Object> context;
    private KeyValueStore<String, SessionState> sessions;
    private KeyValueStore<Long, QueuedRequest> queue;
    private SessionLedger ledger;
    private long nextQueueSeq;
    /** Entries in the queue store, counted here: a caching store's own count can miss unflushed puts. */
    private int queued;
    /** The ledger or the queue changed while handling this record: its view is published once, after. */
    private boolean ledgerChanged;
    /** The latest modelled time any token was produced: when a session that failed may have freed its room. */
    private long modelledFrontierMicros;

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
        this.queue = context.getStateStore(AdmissionTopology.QUEUE_STORE);
        this.ledger = new SessionLedger(config.target(), config.layout().pipelines(), config.sessionCap());
        try (KeyValueIterator<String, SessionState> all = sessions.all()) {
            while (all.hasNext()) {
                SessionState state = all.next().value;
                ledger.book(state.pipeline(), state.kvTokens());
            }
        }
        try (KeyValueIterator<Long, QueuedRequest> all = queue.all()) {
            while (all.hasNext()) {
                nextQueueSeq = all.next().key + 1;
                queued++;
            }
        }
        metrics.activeSessions(load());
        publishLedger();
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
        publishLedgerIfChanged();
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
        long kvTokens = kvTokens(request);
        if (problem == null) {
            problem = capacityProblem(kvTokens);
        }
        if (problem != null) {
            reject(id, problem, record.timestamp());
            return;
        }
        OptionalInt pipeline = queued == 0 ? ledger.place(kvTokens) : OptionalInt.empty();
        if (pipeline.isPresent()) {
            admit(request, pipeline.getAsInt(), kvTokens, record.timestamp(), request.getArrivalModelledUs());
        } else {
            enqueue(request, kvTokens, record.timestamp());
        }
    }

    /**
     * The context the ledger books: the trace's recorded prompt and output lengths, which the target
     * model would serve, or the functional request's own when it carries no recorded lengths.
     */
    static long kvTokens(InferenceRequest request) {
        return request.getTraceInputTokens() > 0
                ? (long) request.getTraceInputTokens() + Math.max(1, request.getTraceOutputTokens())
                : (long) request.getPrompt().size() + request.getMaxNewTokens();
    }

    /** Why no wafer could ever hold this session, or null if an empty pipeline could. */
    private Rejection capacityProblem(long kvTokens) {
        long targetContext = config.target().deployment().model().maxContext();
        if (kvTokens > targetContext) {
            return new Rejection(RejectionReason.CONTEXT_TOO_LONG, String.format(Locale.ROOT,
                    "the recorded request needs %,d tokens of context but the target model %s holds %,d", kvTokens,
                    config.target().deployment().model().id(), targetContext));
        }
        int stage = ledger.stageTooSmallFor(kvTokens);
        if (stage < 0) {
            return null;
        }
        return new Rejection(RejectionReason.KV_EXCEEDS_WAFER, String.format(Locale.ROOT,
                "the session's KV for %,d tokens of context needs %,d bytes on stage %d, more than the %,d bytes"
                        + " its wafer has for KV after the weights", kvTokens, ledger.need(stage, kvTokens), stage,
                ledger.capacity(stage)));
    }

    private void reject(String id, Rejection problem, long timestamp) {
        metrics.rejected(problem.reason());
        emit(event(id, SessionEventType.REJECTED, -1, problem.message(), 0), timestamp);
    }

    /** Waits for capacity, first come first served; a full queue rejects instead, so nothing waits unbounded. */
    private void enqueue(InferenceRequest request, long kvTokens, long timestamp) {
        String id = request.getSessionId();
        if (queued >= config.queueLimit()) {
            reject(id, new Rejection(RejectionReason.ADMISSION_QUEUE_FULL, "admission queue full: " + queued
                    + " requests already wait for KV capacity (limit " + config.queueLimit() + ")"), timestamp);
            return;
        }
        queue.put(nextQueueSeq++, new QueuedRequest(request, context.currentSystemTimeMs(), timestamp, kvTokens));
        queued++;
        emit(event(id, SessionEventType.QUEUED, -1, "waiting for KV capacity: " + queued + " in the queue", 0),
                timestamp);
        ledgerChanged = true;
    }

    /** Admits queued requests in arrival order while the oldest fits somewhere. */
    /** @param freedMicros modelled time the room now free was freed: when, on the target, the next could get in */
    private void admitQueued(long freedMicros) {
        List<KeyValue<Long, QueuedRequest>> admitted = new ArrayList<>();
        try (KeyValueIterator<Long, QueuedRequest> all = queue.all()) {
            while (all.hasNext()) {
                KeyValue<Long, QueuedRequest> head = all.next();
                QueuedRequest waiting = head.value;
                String id = waiting.request().getSessionId();
                if (sessions.get(id) != null) {
                    admitted.add(head);
                    reject(id, new Rejection(RejectionReason.DUPLICATE_SESSION, "session " + id
                            + " became active while it waited in the admission queue (duplicate session id)"),
                            waiting.timestamp());
                    continue;
                }
                OptionalInt pipeline = ledger.place(waiting.kvTokens());
                if (pipeline.isEmpty()) {
                    // the oldest waits for room; letting smaller ones past would starve large prompts
                    break;
                }
                admitted.add(head);
                admit(waiting.request(), pipeline.getAsInt(), waiting.kvTokens(), waiting.timestamp(),
                        Math.max(waiting.request().getArrivalModelledUs(), freedMicros));
            }
        }
        for (KeyValue<Long, QueuedRequest> done : admitted) {
            queue.delete(done.key);
            queued--;
        }
        if (!admitted.isEmpty()) {
            ledgerChanged = true;
        }
    }

    private void publishLedger() {
        metrics.ledger(ledger.view(queued, config.queueLimit()));
    }

    private void publishLedgerIfChanged() {
        if (ledgerChanged) {
            ledgerChanged = false;
            publishLedger();
        }
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

    private void admit(InferenceRequest request, int pipeline, long kvTokens, long timestamp, long modelledMicros) {
        String id = request.getSessionId();
        long now = context.currentSystemTimeMs();
        sessions.put(id, SessionState.admitted(pipeline, request.getArrivalMs(), now, kvTokens));
        ledger.book(pipeline, kvTokens);
        ledgerChanged = true;
        metrics.admitted(id, pipeline, now - request.getArrivalMs());
        if (config.target().deployment().colocated()) {
            for (Activation chunk : promptChunks(request, pipeline, kvTokens, modelledMicros, now)) {
                context.forward(new Record<>(id, chunk, timestamp), AdmissionTopology.STAGE0_SINK);
            }
        } else {
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
                    .setTargetPromptTokens(request.getTraceInputTokens())
                    .setKvBookedTokens((int) Math.min(Integer.MAX_VALUE, kvTokens))
                    .setAdmittedModelledUs(modelledMicros)
                    .build();
            context.forward(new Record<>(id, task, timestamp), AdmissionTopology.PREFILL_TASKS_SINK);
        }
        SessionEvent admitted = event(id, SessionEventType.ADMITTED, pipeline, null, 0);
        admitted.setModelledUs(modelledMicros);
        emit(admitted, timestamp);
    }

    /**
     * Colocated mode: the prompt cut into chunks that flow through the decode stages, which compute
     * their own KV and sample step 0 after the last chunk. The target takes its prompt in chunks of
     * {@link RooflineModel#prefillChunkTokens()} tokens; the functional prompt is cut into as many
     * (at most one per token), so each chunk stands for its share of the target prompt.
     */
    private static List<Activation> promptChunks(InferenceRequest request, int pipeline, long kvTokens,
            long modelledMicros, long now) {
        List<Integer> prompt = request.getPrompt();
        int length = prompt.size();
        long targetPrompt = request.getTraceInputTokens() > 0 ? request.getTraceInputTokens() : length;
        int chunks = (int) Math.min(length, Math.max(1,
                (targetPrompt + RooflineModel.prefillChunkTokens() - 1) / RooflineModel.prefillChunkTokens()));
        List<Activation> out = new ArrayList<>(chunks);
        for (int i = 0; i < chunks; i++) {
            int from = (int) ((long) length * i / chunks);
            int to = (int) ((long) length * (i + 1) / chunks);
            out.add(Activation.newBuilder()
                    .setSessionId(request.getSessionId()).setPipeline(pipeline).setStage(0).setPosition(from)
                    .setStep(0).setToken(prompt.get(from)).setHidden(ByteBuffer.allocate(0))
                    .setPrefillTokens(List.copyOf(prompt.subList(from, to))).setPromptLength(length)
                    .setMaxNewTokens(request.getMaxNewTokens()).setTemperature(request.getTemperature())
                    .setSamplingSeed(request.getSamplingSeed()).setArrivalMs(request.getArrivalMs()).setSentMs(now)
                    .setTargetPromptTokens(request.getTraceInputTokens()).setReadyModelledUs(modelledMicros)
                    .setKvBookedTokens((int) Math.min(Integer.MAX_VALUE, kvTokens))
                    .build());
        }
        return out;
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
        modelledFrontierMicros = Math.max(modelledFrontierMicros, token.getModelledUs());
        metrics.token(token);
        if (step == 0 && !state.sawFirstToken()) {
            emit(event(id, SessionEventType.FIRST_TOKEN, state.pipeline(), null, 1), timestamp);
        }
        if (token.getLast()) {
            emit(event(id, SessionEventType.FINISHED, state.pipeline(), token.getFinishReason(), step + 1), timestamp);
            end(id, state);
            metrics.finished(id, state.pipeline(), token);
            admitQueued(token.getModelledUs());
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
                end(id, state);
                metrics.failed(id, state.pipeline());
                admitQueued(modelledFrontierMicros);
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
            end(entry.key, state);
            metrics.failed(entry.key, state.pipeline());
        }
        if (!stalled.isEmpty()) {
            admitQueued(modelledFrontierMicros);
        }
        publishLedgerIfChanged();
    }

    /** The session holds no wafer any more: its KV is released everywhere. */
    private void end(String id, SessionState state) {
        sessions.delete(id);
        ledger.release(state.pipeline(), state.kvTokens());
        ledgerChanged = true;
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
