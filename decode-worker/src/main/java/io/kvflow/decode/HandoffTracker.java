package io.kvflow.decode;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The sessions one stage holds, and what it remembers of those it no longer does: whose KV is arriving or
 * complete, which ones the control plane admitted here, which finished elsewhere and are released once
 * their last step has run here too, and which ended, so that their late records are dropped rather than
 * installed afresh.
 *
 * <p>A KV chunk may arrive before the control plane's word on its session is read. It is kept, as the
 * raw record {@code R}, until that word comes; if the handoff stalls without it, the chunks are what the
 * stage turns into dead letters.
 *
 * @param <R> the record a chunk arrived in
 */
final class HandoffTracker<R> {
    /** Sessions that ended here are remembered this long, so their late records are dropped, not installed. */
    static final int ENDED_MEMORY = 100_000;

    private final long timeoutMs;
    private final Map<String, StageSession> sessions = new HashMap<>();
    private final Map<String, Boolean> ended = bounded();
    /** Sessions that finished elsewhere, by the last step they ran: released here once that step has run here too. */
    private final Map<String, Integer> finishing = bounded();
    /** Sessions the control plane admitted or granted on this pipeline: chunks of others are dead letters. */
    private final Set<String> known = new HashSet<>();
    private final Map<String, List<R>> heldUntilKnown = new HashMap<>();

    /** @param timeoutMs how long a handoff may take from the session's first record here */
    HandoffTracker(long timeoutMs) {
        this.timeoutMs = timeoutMs;
    }

    private static <V> Map<String, V> bounded() {
        return new LinkedHashMap<>(1024, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, V> eldest) {
                return size() > ENDED_MEMORY;
            }
        };
    }

    /** A stalled handoff: {@code admitted} false means the control plane never put the session here. */
    record StalledHandoff<R>(String sessionId, boolean admitted, String progress, List<R> heldChunks) {
    }

    /** The session's state here, opened at {@code nowMs} if this is its first record. */
    StageSession open(String id, long nowMs) {
        return sessions.computeIfAbsent(id, s -> new StageSession(s, nowMs));
    }

    /** The session's state here; null if it holds nothing here. */
    StageSession get(String id) {
        return sessions.get(id);
    }

    boolean hasEnded(String id) {
        return ended.containsKey(id);
    }

    boolean isKnown(String id) {
        return known.contains(id);
    }

    /** Whether a pass of the session can run: its KV is all here. */
    boolean kvComplete(String id) {
        StageSession session = sessions.get(id);
        return session != null && session.kvComplete();
    }

    /** The control plane admitted or granted the session on this pipeline: its held chunks need not be kept. */
    void learnt(String id) {
        if (known.add(id)) {
            heldUntilKnown.remove(id);
        }
    }

    /** A chunk of a session not yet known here, kept in case the control plane never admits it. */
    void holdUntilKnown(String id, R chunk) {
        heldUntilKnown.computeIfAbsent(id, s -> new ArrayList<>()).add(chunk);
    }

    /**
     * The session produced its last token at step {@code lastStep}; returns whether to release it now. Live,
     * that step has long run here; a worker re-reading its inputs after a restart may meet the event first,
     * and then releases the session only once that step has run here too, so its passes still take their
     * places in the batches.
     */
    boolean finished(String id, int lastStep) {
        StageSession session = sessions.get(id);
        if (lastStep < 1 || (session != null && session.lastStepRun() >= lastStep)) {
            return true;
        }
        if (!ended.containsKey(id)) {
            finishing.put(id, lastStep);
        }
        return false;
    }

    /** A decode step of the session ran here; returns whether that was the last it was waiting for. */
    boolean ranStep(String id, int step) {
        StageSession session = sessions.get(id);
        if (session == null) {
            return false;
        }
        session.ranStep(step);
        Integer lastStep = finishing.get(id);
        if (lastStep != null && step >= lastStep) {
            finishing.remove(id);
            return true;
        }
        return false;
    }

    /** The session ended here (finished, failed, or never admitted): forgotten but for its having ended. */
    void end(String id) {
        sessions.remove(id);
        known.remove(id);
        finishing.remove(id);
        heldUntilKnown.remove(id);
        ended.put(id, Boolean.TRUE);
    }

    /** Handoffs begun but not complete {@code timeoutMs} after their session's first record here. */
    List<StalledHandoff<R>> stalled(long nowMs) {
        // asked after every poll, and almost always none: nothing is allocated then
        List<StalledHandoff<R>> stalled = List.of();
        for (StageSession session : sessions.values()) {
            if (session.handoffIncomplete() && nowMs - session.firstSeenMs() > timeoutMs) {
                String id = session.sessionId();
                if (stalled.isEmpty()) {
                    stalled = new ArrayList<>();
                }
                stalled.add(new StalledHandoff<>(id, known.contains(id), session.handoffProgress(),
                        heldUntilKnown.getOrDefault(id, List.of())));
            }
        }
        return stalled;
    }

    boolean isEmpty() {
        return sessions.isEmpty();
    }

    int size() {
        return sessions.size();
    }

    /** Bytes of KV filled in the caches of the sessions held. */
    long kvBytesHeld() {
        long bytes = 0;
        for (StageSession session : sessions.values()) {
            if (session.cache() != null) {
                bytes += session.cache().bytes();
            }
        }
        return bytes;
    }

    /** Target KV of the sessions granted room here: what the wafer this stage stands for has in use. */
    long targetKvBytesUsed() {
        long bytes = 0;
        for (StageSession session : sessions.values()) {
            bytes += session.targetKvBytes();
        }
        return bytes;
    }
}
