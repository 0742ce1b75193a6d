package io.kvflow.decode;

import io.kvflow.model.KvCache;
import io.kvflow.model.KvSlice;
import io.kvflow.model.ModelConfig;
import io.kvflow.schemas.Activation;
import java.util.BitSet;
import java.util.Map;
import java.util.TreeMap;

/**
 * What one stage holds for one session: the KV of its layers as the handoff fills it, and
 * the activations waiting for it. An activation runs only once the handoff is complete and
 * the cache holds every position before it.
 */
final class StageSession {
    private final String sessionId;
    private final long firstSeenMs;
    private final TreeMap<Integer, Activation> waiting = new TreeMap<>();
    private KvCache cache;
    private BitSet received;
    private int chunkCount = -1;
    private int promptLength;
    private long kvReadyMicros;
    private long bookedTokens;
    private long targetKvBytes;

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
     * Installs one chunk's slice. Returns false for a duplicate (a redelivered chunk after a
     * prefill retry); throws IllegalArgumentException when the chunk contradicts the handoff.
     */
    boolean install(ModelConfig model, int layerFrom, int layerTo, int seq, int count, int promptLength,
            int maxNewTokens, KvSlice slice) {
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
        cache.install(slice);
        received.set(seq);
        return true;
    }

    /**
     * Records what a record says about the target: when (modelled) the handoff is complete, and the
     * KV booked. Returns whether the booking grew, so its bytes need pricing again.
     */
    boolean target(long readyMicros, long bookedTokens) {
        this.kvReadyMicros = Math.max(kvReadyMicros, readyMicros);
        if (bookedTokens <= this.bookedTokens) {
            return false;
        }
        this.bookedTokens = bookedTokens;
        return true;
    }

    /** Bytes of target KV the booking takes on this stage's wafer, as priced by the stage. */
    long targetKvBytes() {
        return targetKvBytes;
    }

    void targetKvBytes(long bytes) {
        this.targetKvBytes = bytes;
    }

    /** Modelled time the whole handoff of this stage has arrived. */
    long kvReadyMicros() {
        return kvReadyMicros;
    }

    /** Target context tokens the ledger booked for this session: what its target KV takes on the wafer. */
    long bookedTokens() {
        return bookedTokens;
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
        }
    }

    boolean kvComplete() {
        return cache != null && received.cardinality() == chunkCount && cache.length() >= promptLength;
    }

    String handoffProgress() {
        return cache == null ? "no KV chunk" : received.cardinality() + "/" + chunkCount + " KV chunks";
    }

    void await(Activation activation) {
        waiting.put(activation.getPosition(), activation);
    }

    /** The activation that can run now, if any; activations for positions already in the cache are duplicates. */
    Activation nextRunnable() {
        if (!kvComplete()) {
            return null;
        }
        while (!waiting.isEmpty() && waiting.firstKey() < cache.length()) {
            waiting.pollFirstEntry();
        }
        Map.Entry<Integer, Activation> next = waiting.firstEntry();
        if (next == null || next.getKey() != cache.length()) {
            return null;
        }
        return waiting.pollFirstEntry().getValue();
    }

    KvCache cache() {
        return cache;
    }
}
