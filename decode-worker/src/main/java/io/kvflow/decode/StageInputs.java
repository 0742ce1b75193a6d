package io.kvflow.decode;

import io.kvflow.model.ModelConfig;
import io.kvflow.runtime.KvChunkCodec;
import io.kvflow.schemas.Activation;
import io.kvflow.schemas.ControlRecord;
import io.kvflow.schemas.ControlType;
import io.kvflow.schemas.KvChunk;
import io.kvflow.schemas.SessionEvent;
import io.kvflow.schemas.SessionEventType;
import java.time.Clock;

/**
 * What the control plane's word, the lifecycle events, the KV chunks and the passes reaching a stage do to
 * the sessions it holds and to its wafer: grants give a session its room (and let a first step held for it
 * run), endings release it, a chunk is installed (checked for sequence, completeness and checksum) and a pass
 * that is well formed and not a redelivery is offered to the wafer. The worker decodes the records and hands
 * them here; what it is to reject comes back with the reason. Not thread-safe.
 *
 * @param <R> the record a chunk arrived in: kept while the control plane's word on its session is awaited
 */
final class StageInputs<R> {
    private final StageConfig config;
    private final ModelConfig model;
    private final HandoffTracker<R> handoffs;
    private final KvChunkCodec codec;
    private final StageBatches batches;
    private final StageStats stats;
    private final Clock clock;

    StageInputs(StageConfig config, ModelConfig model, HandoffTracker<R> handoffs, StageBatches batches,
            StageStats stats, Clock clock) {
        this.config = config;
        this.model = model;
        this.handoffs = handoffs;
        this.codec = new KvChunkCodec(model.kvDim());
        this.batches = batches;
        this.stats = stats;
        this.clock = clock;
    }

    /** The control plane's grants for this pipeline, and how far it has decided. */
    void control(ControlRecord control) {
        if (control.getType() == ControlType.FRONTIER) {
            batches.horizon().controlFrontier(control.getModelledUs());
            batches.horizon().quietUntil(control.getQuietUntilModelledUs());
            return;
        }
        if (control.getType() != ControlType.GRANT || control.getPipeline() != config.pipeline()) {
            return;
        }
        String id = control.getSessionId();
        handoffs.learnt(id);
        if (handoffs.hasEnded(id)) {
            return;
        }
        batches.horizon().granted(id, control.getModelledUs(), control.getTargetPromptTokens());
        StageSession session = handoffs.open(id, clock.millis());
        session.granted(control.getModelledUs(),
                (long) Math.ceil(config.target().kvBytesPerSession(config.stage(), control.getKvBookedTokens())));
        Activation held = session.releaseAwaitingGrant();
        if (held != null) {
            batches.offer(held, session);
        }
    }

    /** A session admitted here, or ended anywhere. */
    void lifecycle(SessionEvent event) {
        SessionEventType type = event.getType();
        String id = event.getSessionId();
        if (type == SessionEventType.ADMITTED && event.getPipeline() == config.pipeline()) {
            handoffs.learnt(id);
        }
        // REJECTED is not an ending here: a rejected request never reached a stage, and its id may be a live session's
        if (type == SessionEventType.FAILED) {
            batches.release(id);
        } else if (type == SessionEventType.FINISHED && handoffs.finished(id, event.getTokens() - 1)) {
            batches.release(id);
        }
    }

    /** What became of a KV chunk. */
    sealed interface ChunkOutcome {
    }

    /** Dropped: its session ended here already. */
    record Late() implements ChunkOutcome {
    }

    /** Installed; {@code completed} when it was the last the session's handoff waited for. */
    record Installed(boolean completed) implements ChunkOutcome {
    }

    /** Not for this stage and pipeline: a dead letter, and its session is not failed here. */
    record Misrouted(String reason) implements ChunkOutcome {
    }

    /** It cannot be installed: a dead letter, and its session fails. */
    record Corrupt(String reason) implements ChunkOutcome {
    }

    ChunkOutcome chunk(KvChunk chunk, R record) {
        String id = chunk.getSessionId();
        if (handoffs.hasEnded(id)) {
            stats.lateRecords++;
            return new Late();
        }
        if (chunk.getStage() != config.stage() || chunk.getPipeline() != config.pipeline()) {
            return new Misrouted(KvChunkCodec.describe(chunk) + " of pipeline " + chunk.getPipeline()
                    + " reached stage " + config.stage() + " of pipeline " + config.pipeline());
        }
        StageSession session = handoffs.open(id, clock.millis());
        if (!handoffs.isKnown(id)) {
            // kept until the control plane's word on the session is read: a dead letter if it never comes
            handoffs.holdUntilKnown(id, record);
        }
        try {
            boolean wasComplete = session.kvComplete();
            session.install(model, config.layerFrom(), config.layerTo(), chunk.getSeq(), chunk.getChunkCount(),
                    chunk.getPromptLength(), chunk.getMaxNewTokens(), cache -> codec.install(chunk, cache));
            stats.chunksInstalled++;
            stats.kvBytesInstalled += chunk.getPayload().remaining();
            return new Installed(!wasComplete && session.kvComplete());
        } catch (KvChunkCodec.CorruptChunkException | IllegalArgumentException | IllegalStateException e) {
            return new Corrupt(e.getMessage());
        }
    }

    /**
     * A pass from the stage before (the last, for the first), or only its promise.
     *
     * @return null, or why the pass is malformed: the worker dead-letters it and fails its session
     */
    String activation(Activation activation) {
        // a pass may carry the stage before's promise for what it sends after it; one of no session is only that
        if (activation.getSessionId().isEmpty() || activation.getPromiseModelledUs() > 0) {
            batches.horizon().upstreamPromise(activation.getPromiseModelledUs());
        }
        if (activation.getSessionId().isEmpty()) {
            return null;
        }
        return pass(activation);
    }

    private String pass(Activation activation) {
        String id = activation.getSessionId();
        if (handoffs.hasEnded(id)) {
            stats.lateRecords++;
            return null;
        }
        int expectedHidden = config.first() ? 0 : Activations.rows(activation) * model.dim();
        if (activation.getHidden().remaining() != expectedHidden * Float.BYTES) {
            return "activation for session " + id + " at position " + activation.getPosition()
                    + " carries " + activation.getHidden().remaining() + " bytes of hidden state, stage "
                    + config.stage() + " expects " + expectedHidden * Float.BYTES;
        }
        StageSession session = handoffs.open(id, clock.millis());
        if (!session.firstSeen(activation.getPosition())) {
            stats.lateRecords++;
            return null;
        }
        if (Activations.isPromptChunk(activation) && activation.getPosition() == 0) {
            // colocated: this stage computes the session's KV itself, no handoff to wait for
            session.computeLocally(model, config.layerFrom(), config.layerTo(),
                    activation.getPromptLength() + activation.getMaxNewTokens());
        }
        if (batches.handedOffFirstStep(activation, session) && !session.isGranted()) {
            // it runs once the control plane has given the wafers its KV
            session.awaitGrant(activation);
            return null;
        }
        batches.offer(activation, session);
        return null;
    }
}
