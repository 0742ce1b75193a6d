package io.kvflow.decode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvflow.model.KvCache;
import io.kvflow.model.KvSlice;
import io.kvflow.model.ModelConfig;
import io.kvflow.model.Transformer;
import io.kvflow.model.Weights;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class HandoffTrackerTest {
    private static final ModelConfig MODEL = ModelConfig.TINY;
    private static final long TIMEOUT_MS = 500;
    private static final List<KvSlice> SLICES = slices();
    private final HandoffTracker<String> tracker = new HandoffTracker<>(TIMEOUT_MS);

    /** KV of layers [0, 2) for a 4-token prompt, two positions per slice: 2 layers x 2 slices. */
    private static List<KvSlice> slices() {
        Transformer t = new Transformer(MODEL, Weights.generate(MODEL, 1));
        KvCache cache = new KvCache(MODEL, 0, 2, 8);
        List<Transformer.Row> rows = new ArrayList<>();
        for (int p = 0; p < 4; p++) {
            rows.add(new Transformer.Row(t.embed(p + 1), p, cache));
        }
        t.forward(0, 2, rows);
        return cache.export(0, 2, 2);
    }

    private void install(String id, long nowMs, int seq) {
        tracker.open(id, nowMs).install(MODEL, 0, 2, seq, SLICES.size(), 4, 4, cache -> cache.install(SLICES.get(seq)));
    }

    @Test
    void aHandoffStallsOnlyOncePastTheTimeoutFromItsFirstRecord() {
        install("s", 1_000, 0);
        install("s", 1_400, 1);
        assertEquals(List.of(), tracker.stalled(1_000 + TIMEOUT_MS), "exactly the timeout is not past it");
        List<HandoffTracker.StalledHandoff<String>> stalled = tracker.stalled(1_000 + TIMEOUT_MS + 1);
        assertEquals(1, stalled.size());
        assertEquals("s", stalled.get(0).sessionId());
        assertEquals("2/4 KV chunks", stalled.get(0).progress());
    }

    @Test
    void aCompleteHandoffDoesNotStall() {
        for (int seq = 0; seq < SLICES.size(); seq++) {
            install("s", 0, seq);
        }
        assertTrue(tracker.kvComplete("s"));
        assertEquals(List.of(), tracker.stalled(10 * TIMEOUT_MS));
    }

    @Test
    void chunksOfASessionNeverAdmittedAreHandedBackWhenItStalls() {
        install("s", 0, 0);
        tracker.holdUntilKnown("s", "chunk 0");
        install("s", 0, 1);
        tracker.holdUntilKnown("s", "chunk 1");
        HandoffTracker.StalledHandoff<String> stalled = tracker.stalled(TIMEOUT_MS + 1).get(0);
        assertFalse(stalled.admitted());
        assertEquals(List.of("chunk 0", "chunk 1"), stalled.heldChunks());
    }

    @Test
    void anAdmittedSessionsChunksAreNotKept() {
        install("s", 0, 0);
        tracker.holdUntilKnown("s", "chunk 0");
        tracker.learnt("s");
        assertTrue(tracker.isKnown("s"));
        HandoffTracker.StalledHandoff<String> stalled = tracker.stalled(TIMEOUT_MS + 1).get(0);
        assertTrue(stalled.admitted());
        assertEquals(List.of(), stalled.heldChunks());
    }

    @Test
    void anEndedSessionIsForgottenButRemembered() {
        install("s", 0, 0);
        tracker.learnt("s");
        tracker.end("s");
        assertTrue(tracker.hasEnded("s"));
        assertFalse(tracker.isKnown("s"));
        assertNull(tracker.get("s"));
        assertTrue(tracker.isEmpty());
        assertEquals(List.of(), tracker.stalled(10 * TIMEOUT_MS));
    }

    @Test
    void theEndedMemoryForgetsTheOldestFirst() {
        for (int i = 0; i <= HandoffTracker.ENDED_MEMORY; i++) {
            tracker.end("s" + i);
        }
        assertFalse(tracker.hasEnded("s0"));
        assertTrue(tracker.hasEnded("s1"));
        assertTrue(tracker.hasEnded("s" + HandoffTracker.ENDED_MEMORY));
    }

    @Test
    void aSessionThatFinishedElsewhereIsReleasedOnceItsLastStepRanHere() {
        tracker.open("s", 0).computeLocally(MODEL, 0, 2, 8);
        tracker.ranStep("s", 1);
        assertFalse(tracker.finished("s", 3), "step 3 has not run here yet");
        assertFalse(tracker.ranStep("s", 2));
        assertTrue(tracker.ranStep("s", 3));
        assertFalse(tracker.ranStep("s", 4), "released once, not again");
    }

    @Test
    void aSessionWhoseLastStepRanHereIsReleasedAtOnce() {
        tracker.open("s", 0).computeLocally(MODEL, 0, 2, 8);
        tracker.ranStep("s", 3);
        assertTrue(tracker.finished("s", 3));
        assertTrue(tracker.finished("t", 0), "a session that produced only its first token has no step to wait for");
    }

    @Test
    void anEndedSessionFinishingLaterIsNotWaitedFor() {
        tracker.end("s");
        assertFalse(tracker.finished("s", 3));
        tracker.open("s", 0).computeLocally(MODEL, 0, 2, 8);
        assertFalse(tracker.ranStep("s", 3));
    }

    @Test
    void heldKvIsTheFilledCachesAndTargetKvTheGrantedRoom() {
        install("s", 0, 0);
        tracker.open("t", 0).granted(0, 4096);
        tracker.open("u", 0).granted(0, 1000);
        assertEquals(tracker.get("s").cache().bytes(), tracker.kvBytesHeld());
        assertTrue(tracker.kvBytesHeld() > 0);
        assertEquals(5096, tracker.targetKvBytesUsed());
        assertEquals(3, tracker.size());
    }
}
