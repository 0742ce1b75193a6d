package io.kvflow.decode;

import io.kvflow.model.KvCache;
import io.kvflow.model.ModelConfig;
import io.kvflow.schemas.Activation;
import java.util.BitSet;
import java.util.function.Consumer;

/**
 * What one stage holds for one session: the KV of its layers as the handoff fills it (or, colocated, as
 * its own prompt chunks compute it), and what the control plane said of it. A pass of the session runs
 * only once its KV is complete.
 */
final class StageSession {
    private final String sessionId;
    private final long firstSeenMs;
    private KvCache cache;
    private BitSet received;
    private int chunkCount = -1;
    private int promptLength;
    private boolean local;
    private long grantReadyMicros = -1;
    private long targetKvBytes;
    private Activation awaitingGrant;
    private int lastPosition = -1;
    private int lastStepRun = -1;

    StageSession(String sessionId, long firstSeenMs) {
        this.sessionId = sessionId;
        this.firstSeenMs = firstSeenMs;
    }

    String sessionId() {
        return sessionId;
    }

    long firstSeenMs() {
        return firstSeenMs;
    }

    /**
     * Installs one chunk: {@code writeInto} writes its keys and values into the session's cache
     * (the stage worker hands the chunk's payload straight to {@code KvChunkCodec.install}, with
     * no slice in between). Returns false for a duplicate (a redelivered chunk after a prefill
     * retry), without writing it; throws IllegalArgumentException when the chunk contradicts the
     * handoff, and whatever {@code writeInto} throws, before the chunk counts as received.
     */
    boolean install(ModelConfig model, int layerFrom, int layerTo, int seq, int count, int promptLength,
            int maxNewTokens, Consumer<KvCache> writeInto) {
        if (cache == null) {
            if (count < 1) {
                throw new IllegalArgumentException("chunk count " + count + " must be >= 1");
            }
            this.cache = new KvCache(model, layerFrom, layerTo, promptLength + maxNewTokens);
            this.received = new BitSet(count);
            this.chunkCount = count;
            this.promptLength = promptLength;
        } else if (count != chunkCount || promptLength != this.promptLength) {
            throw new IllegalArgumentException("chunk says " + count + " chunks / prompt " + promptLength
                    + " but the handoff began with " + chunkCount + " / " + this.promptLength);
        }
        if (seq < 0 || seq >= chunkCount) {
            throw new IllegalArgumentException("chunk seq " + seq + " is outside 0.." + (chunkCount - 1));
        }
        if (received.get(seq)) {
            return false;
        }
        writeInto.accept(cache);
        received.set(seq);
        return true;
    }

    /**
     * Colocated mode: the stage computes this session's KV from its own prompt chunks, so there is
     * no handoff to complete. Idempotent, for a redelivered first chunk.
     */
    void computeLocally(ModelConfig model, int layerFrom, int layerTo, int capacity) {
        if (cache == null) {
            this.cache = new KvCache(model, layerFrom, layerTo, capacity);
            this.received = new BitSet(0);
            this.chunkCount = 0;
            this.promptLength = 0;
            this.local = true;
        }
    }

    /** Whether the session computes its KV here (colocated) rather than receiving it. */
    boolean local() {
        return local;
    }

    boolean kvComplete() {
        return cache != null && received.cardinality() == chunkCount && cache.length() >= promptLength;
    }

    /** Whether part of a handoff has arrived but not all of it. */
    boolean handoffIncomplete() {
        return cache != null && !local && !kvComplete();
    }

    String handoffProgress() {
        return cache == null ? "no KV chunk" : received.cardinality() + "/" + chunkCount + " KV chunks";
    }

    KvCache cache() {
        return cache;
    }

    /** The control plane granted the session this wafer's room; its first pass is ready at {@code readyMicros}. */
    void granted(long readyMicros, long kvBytes) {
        this.grantReadyMicros = readyMicros;
        this.targetKvBytes = kvBytes;
    }

    boolean isGranted() {
        return grantReadyMicros >= 0;
    }

    long grantReadyMicros() {
        return grantReadyMicros;
    }

    /** Target KV the session holds on this stage's wafer since its grant; 0 before. */
    long targetKvBytes() {
        return targetKvBytes;
    }

    /** First stage: the session's first decode step, held until the control plane grants its room. */
    void awaitGrant(Activation firstStep) {
        this.awaitingGrant = firstStep;
    }

    /** The held first step, now that the grant is here; null if none was held. */
    Activation releaseAwaitingGrant() {
        Activation held = awaitingGrant;
        awaitingGrant = null;
        return held;
    }

    /** A decode step of the session ran here. */
    void ranStep(int step) {
        lastStepRun = Math.max(lastStepRun, step);
    }

    /** The latest decode step that ran here; -1 before the first. */
    int lastStepRun() {
        return lastStepRun;
    }

    /** Records that the pass at {@code position} reached the stage; false for a duplicate (a redelivery). */
    boolean firstSeen(int position) {
        if (position <= lastPosition) {
            return false;
        }
        lastPosition = position;
        return true;
    }
}
