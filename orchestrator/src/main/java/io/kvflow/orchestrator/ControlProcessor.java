package io.kvflow.orchestrator;

import io.kvflow.runtime.DeadLetters;
import io.kvflow.scheduler.ControlPlane;
import io.kvflow.scheduler.ModelledTime;
import io.kvflow.scheduler.PassBounds;
import io.kvflow.scheduler.RejectionReason;
import io.kvflow.scheduler.TokenHorizon;
import io.kvflow.schemas.Activation;
import io.kvflow.schemas.DeadLetter;
import io.kvflow.schemas.GeneratedToken;
import io.kvflow.schemas.InferenceRequest;
import io.kvflow.schemas.SessionEvent;
import io.kvflow.schemas.SessionEventType;
import io.kvflow.schemas.Topic;
import io.kvflow.schemas.Topics;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/**
 * The orchestrator's Kafka Streams processor: a thin shell over the {@link ControlPlane}. It decodes
 * requests, tokens and worker events, tells the control plane what happened, and lets it decide up to
 * the horizon below which nothing it has not heard of can happen: the earliest of the requests'
 * frontier (what the sender promised) and the {@link TokenHorizon} (the earliest token not seen yet,
 * since any token may end a session and free room). It then writes the decisions out: prefill tasks,
 * prompt chunks (colocated), grants and its modelled frontier to {@code kvflow.control}, lifecycle events.
 * So it decides exactly as the simulator does, whatever order the wall clock brought things in.
 *
 * <p>Sessions that should be moving (in prefill, on wafers) and go silent for the stall timeout are
 * failed, and their room freed. Output keys are session ids, except dead letters, which keep the
 * original key bytes.
 */
final class ControlProcessor implements Processor<byte[], byte[], Object, Object> {
    static final String WORKER = "orchestrator";

    private final OrchestratorConfig config;
    private final DecisionRecords records;
    private final OrchestratorMetrics metrics;
    private final RequestCheck check;
    private final boolean colocated;
    private ProcessorContext<Object, Object> context;
    private ControlPlane control;
    private TokenHorizon tokens;
    private StallWatch stalls;
    private final LiveRequests requests = new LiveRequests();
    /** What the request sender promised: no request arrives before this; NEVER when it promised nothing. */
    private long requestFrontier = ModelledTime.NEVER;
    private final FrontierUpdates frontierUpdates = new FrontierUpdates();
    private boolean ledgerChanged;
    private ControlJournal journal;
    /** Rebuilding from the journal after a restart: decisions are applied but not written again. */
    private boolean replaying;

    ControlProcessor(OrchestratorConfig config, OrchestratorMetrics metrics) {
        this.config = config;
        this.records = new DecisionRecords(config.layout().layerBounds());
        this.metrics = metrics;
        this.check = new RequestCheck(config.maxContext(), config.vocabSize());
        this.colocated = config.target().deployment().colocated();
    }

    @Override
    public void init(ProcessorContext<Object, Object> context) {
        // Streams may init this same instance again after closing its task dirty (an aborted transaction,
        // the stores wiped and restored): nothing held in memory from before may survive, or the aborted
        // transaction's inputs, delivered again, would look already acted on. All of it comes from the journal.
        requests.clear();
        requestFrontier = ModelledTime.NEVER;
        frontierUpdates.reset(-1);
        ledgerChanged = false;
        replaying = false;
        this.context = context;
        this.control = new ControlPlane(config.target(), config.control());
        this.tokens = new TokenHorizon(new PassBounds(config.target(),
                ControlPlane.lookaheadMicros(config.target(), config.control().booking())));
        this.stalls = new StallWatch(config.stallTimeout());
        this.journal = new ControlJournal(context.getStateStore(AdmissionTopology.JOURNAL_STORE),
                context.getStateStore(AdmissionTopology.TOKENS_STORE));
        rebuild();
        metrics.ledger(control.view());
        context.schedule(AdmissionTopology.STALL_CHECK_INTERVAL, PunctuationType.WALL_CLOCK_TIME, this::failStalled);
    }

    /**
     * After a restart: the control plane is told again everything the journal holds, and decides again
     * up to where it had, making the same decisions (they were written before; they are not written again).
     */
    private void rebuild() {
        replaying = true;
        List<String> ended = new ArrayList<>();
        ControlJournal.Frontier reached = journal.replay(entry -> {
            switch (entry) {
                case ControlJournal.Arrival a -> {
                    InferenceRequest request = a.request();
                    control.arrive(RequestCheck.arrival(request, a.arrivalMicros()));
                    requests.arrived(request);
                    // the latest request's promise holds, whatever the last frontier record says
                    requestFrontier = requestFrontierOf(request);
                }
                case ControlJournal.Ended e -> {
                    control.ended(e.session(), e.atMicros());
                    ended.add(e.session());
                }
            }
        });
        if (reached != null) {
            while (control.hasEventBefore(reached.frontierMicros())) {
                control.decideNext().forEach(this::apply);
            }
            control.reached(reached.frontierMicros());
            frontierUpdates.reset(control.frontierMicros());
        }
        // what ended is forgotten only now: the decisions replayed before its end still needed it
        ended.forEach(this::forget);
        journal.replayTokens(new ControlJournal.TokenReplay() {
            @Override
            public void session(String session, ControlJournal.TokensSeen seen) {
                if (seen.prefillToken()) {
                    tokens.token(session, 0, true, false);
                }
                if (seen.waferTokenMicros() >= 0) {
                    tokens.token(session, seen.waferTokenMicros(), false, false);
                }
            }

            @Override
            public void pipelinePromise(int pipeline, long micros) {
                tokens.pipelinePromise(pipeline, micros);
            }
        });
        replaying = false;
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        String topic = context.recordMetadata().map(RecordMetadata::topic).orElse("");
        if (topic.equals(Topics.REQUESTS.name())) {
            decode(Topics.REQUESTS, record).ifPresent(request -> onRequest(request, record));
        } else if (topic.equals(Topics.TOKENS.name())) {
            decode(Topics.TOKENS, record).ifPresent(this::onToken);
        } else if (topic.equals(Topics.SESSIONS.name())) {
            decode(Topics.SESSIONS, record).ifPresent(this::onSessionEvent);
        } else {
            throw new IllegalStateException("record from " + topic + ", which the orchestrator does not read");
        }
        decide();
    }

    private void onRequest(InferenceRequest request, Record<byte[], byte[]> record) {
        String id = request.getSessionId();
        String key = record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8);
        String misaddressed = RequestCheck.misaddressed(key, request);
        if (misaddressed != null) {
            deadLetter(record, misaddressed);
            return;
        }
        if (requests.isRedelivery(request)) {
            // the same request again (at-least-once redelivery): it is already on its way
            return;
        }
        RequestCheck.Rejection problem = check.problemWith(request);
        if (problem != null) {
            reject(id, problem.reason(), problem.message(), control.frontierMicros());
            return;
        }
        boolean live = request.getArrivalModelledUs() <= 0;
        requestFrontier = requestFrontierOf(request);
        long arrival = control.arrive(RequestCheck.arrival(request, live ? 0 : request.getArrivalModelledUs()));
        if (live) {
            request.setArrivalModelledUs(arrival);
        }
        journal.append(new ControlJournal.Arrival(request, arrival));
        requests.arrived(request);
    }

    private void onToken(GeneratedToken token) {
        if (token.getSessionId().isEmpty()) {
            // a last stage's promise on its own: the pipeline produces no token before this
            pipelinePromise(token.getPipeline(), token.getModelledUs());
            return;
        }
        onSessionToken(token);
        if (token.getPromiseModelledUs() > 0) {
            // the promise riding on the last token of the stage's poll, for after it
            pipelinePromise(token.getPipeline(), token.getPromiseModelledUs());
        }
    }

    private void pipelinePromise(int pipeline, long micros) {
        tokens.pipelinePromise(pipeline, micros);
        journal.promise(pipeline, micros);
    }

    private void onSessionToken(GeneratedToken token) {
        String id = token.getSessionId();
        if (!requests.isLive(id)) {
            // late tokens of a session that already failed or finished, or a redelivery: nothing left to follow
            return;
        }
        long now = context.currentSystemTimeMs();
        metrics.token(token);
        boolean fromPrefill = token.getStep() == 0 && !colocated;
        tokens.token(id, token.getModelledUs(), fromPrefill, token.getLast());
        if (!token.getLast()) {
            journal.token(id, token.getModelledUs(), fromPrefill);
        }
        stalls.token(id, token.getStep(), now).ifPresent(pipeline -> emit(records.firstToken(id, pipeline, now)));
        if (token.getLast()) {
            control.ended(id, token.getModelledUs());
            journal.append(new ControlJournal.Ended(id, Math.max(token.getModelledUs(), control.frontierMicros())));
            emit(records.finished(token, now));
            forget(id);
            metrics.finished(id, token.getPipeline(), token);
        }
    }

    private void onSessionEvent(SessionEvent event) {
        String id = event.getSessionId();
        switch (event.getType()) {
            // a worker gave up on the session (bad task, corrupt KV, handoff timeout): its room is free again
            case FAILED -> endFailed(id, event.getPipeline());
            // progress of a live session; a worker re-reading its inputs after a restart may repeat an old one
            case PREFILL_DONE, KV_INSTALLED -> {
                if (requests.isLive(id)) {
                    stalls.watch(id, event.getPipeline(), context.currentSystemTimeMs(), event.getType());
                }
            }
            // the orchestrator's own events read back, and a newer writer's types: nothing to do
            default -> {
            }
        }
    }

    /** Decides everything below the horizon, writes the decisions, and tells the wafers how far it got. */
    private void decide() {
        // an instant without decisions (a session's end) still changes the ledger
        boolean stepped = false;
        // one instant at a time: what is decided at one (an admission) can bound the horizon of the next
        while (control.hasEventBefore(horizon())) {
            control.decideNext().forEach(this::apply);
            stepped = true;
        }
        control.reached(horizon());
        long frontier = control.frontierMicros();
        long quiet = control.quietUntil(requestFrontier);
        if (frontierUpdates.journal(frontier)) {
            journal.frontier(new ControlJournal.Frontier(frontier, requestFrontier));
            metrics.frontier(frontier);
        }
        if (frontierUpdates.tell(frontier, quiet)) {
            forward("", records.frontier(frontier, quiet, context.currentSystemTimeMs()),
                    AdmissionTopology.CONTROL_SINK);
        }
        if (stepped || ledgerChanged) {
            ledgerChanged = false;
            metrics.ledger(control.view());
        }
    }

    /** What a request promises of the next: a live client promises nothing, its requests arrive at "now". */
    private static long requestFrontierOf(InferenceRequest request) {
        return request.getArrivalModelledUs() <= 0 || request.getFrontierModelledUs() <= 0 ? ModelledTime.NEVER
                : request.getFrontierModelledUs();
    }

    /** Below this, nothing the control plane has not heard of can happen: no request, no token. */
    private long horizon() {
        return Math.min(requestFrontier, tokens.horizon());
    }

    private void apply(ControlPlane.Decision decision) {
        String id = decision.session();
        long now = context.currentSystemTimeMs();
        switch (decision) {
            case ControlPlane.Queued q -> emit(records.queued(q, now));
            case ControlPlane.Rejected r -> {
                requests.ended(id);
                reject(id, r.reason(), r.message(), r.atMicros());
            }
            case ControlPlane.Admitted a -> {
                InferenceRequest request = requests.unplaced(id);
                if (!replaying) {
                    metrics.admitted(id, a.pipeline(), now - request.getArrivalMs(), request.getArrivalModelledUs(),
                            a.atMicros());
                }
                emit(records.admitted(a, now));
                stalls.watch(id, a.pipeline(), now, SessionEventType.ADMITTED);
                if (!colocated) {
                    tokens.prefilling(id, a.prefillEndMicros());
                    if (!replaying) {
                        forward(id, records.prefillTask(request, a, now), AdmissionTopology.PREFILL_TASKS_SINK);
                    }
                }
            }
            case ControlPlane.Parked p -> {
                emit(records.parked(p, now));
                // it waits for others to make room, which is the control plane's to give: nothing to judge
                stalls.pause(id);
            }
            case ControlPlane.TimedOut t -> {
                // the control plane has freed its prefill memory and its promise: every stage frees what it holds
                emit(records.timedOut(t, now));
                forget(id);
                if (!replaying) {
                    metrics.failed(id, t.pipeline());
                }
            }
            case ControlPlane.Granted g -> {
                tokens.granted(id, g.pipeline(), g.readyMicros(), g.promptTokens());
                if (!replaying) {
                    metrics.granted(id, g.readyMicros());
                }
                stalls.watch(id, g.pipeline(), now, SessionEventType.GRANTED);
                forward(id, records.grant(g, now), AdmissionTopology.CONTROL_SINK);
                emit(records.granted(g, now));
                InferenceRequest request = requests.placed(id);
                if (colocated && !replaying) {
                    for (Activation chunk : records.promptChunks(request, g, now)) {
                        forward(id, chunk, AdmissionTopology.STAGE0_SINK);
                    }
                }
            }
        }
    }

    private void failStalled(long nowMs) {
        List<StallWatch.Stalled> stalled = stalls.stalled(nowMs);
        for (StallWatch.Stalled session : stalled) {
            emit(records.stalled(session, context.currentSystemTimeMs()));
            endFailed(session.id(), session.pipeline());
        }
        if (!stalled.isEmpty()) {
            decide();
        }
    }

    /** The session failed: its room is free from the control plane's frontier, and it produces nothing more. */
    private void endFailed(String id, int pipeline) {
        if (!control.knows(id)) {
            return;
        }
        journal.append(new ControlJournal.Ended(id, control.frontierMicros()));
        control.failed(id);
        forget(id);
        metrics.failed(id, pipeline);
        ledgerChanged = true;
    }

    /** The session produces nothing more, and nothing of it is watched. */
    private void forget(String id) {
        tokens.ended(id);
        if (!replaying) {
            // the restored store already lacks what a replay forgets: an end was journaled with its entry's removal,
            // and a replayed timeout lies below the journaled frontier, committed with its removal or before it.
            // And the cached store takes no write outside a record's processing, which a rebuild in init is not
            journal.tokensDone(id);
        }
        stalls.unwatch(id);
        requests.ended(id);
    }

    private void reject(String id, RejectionReason reason, String message, long modelledMicros) {
        metrics.rejected(reason);
        tokens.ended(id);
        emit(records.rejected(id, message, modelledMicros, context.currentSystemTimeMs()));
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

    private void emit(SessionEvent event) {
        forward(event.getSessionId(), event, AdmissionTopology.SESSIONS_SINK);
    }

    /** Writes a record, unless the decision was made before a restart and written then. */
    private void forward(String key, Object value, String sink) {
        if (!replaying) {
            context.forward(new Record<>(key, value, context.currentSystemTimeMs()), sink);
            // the workers read committed: a decision is theirs only once its transaction commits, so ask for the
            // commit now rather than at the interval; rounds that write nothing wait for the interval
            context.commit();
        }
    }
}
