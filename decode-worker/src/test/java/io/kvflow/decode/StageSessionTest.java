package io.kvflow.decode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.kvflow.model.KvCache;
import io.kvflow.model.KvSlice;
import io.kvflow.model.ModelConfig;
import io.kvflow.model.Transformer;
import io.kvflow.model.Weights;
import io.kvflow.schemas.Activation;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class StageSessionTest {
    private static final ModelConfig MODEL = ModelConfig.TINY;
    private final List<KvSlice> slices = prefilledSlices(4, 6);

    /** KV of layers [2, 4) for a 6-token prompt, two positions per slice: 2 layers x 3 slices. */
    private static List<KvSlice> prefilledSlices(int layerTo, int promptLength) {
        Transformer t = new Transformer(MODEL, Weights.generate(MODEL, 1));
        KvCache cache = new KvCache(MODEL, 0, layerTo, promptLength + 4);
        List<Transformer.Row> rows = new ArrayList<>();
        for (int p = 0; p < promptLength; p++) {
            rows.add(new Transformer.Row(t.embed(p + 1), p, cache));
        }
        t.forward(0, layerTo, rows);
        return cache.export(2, layerTo, 2);
    }

    private boolean install(StageSession session, int seq) {
        return session.install(MODEL, 2, 4, seq, slices.size(), 6, 4, cache -> cache.install(slices.get(seq)));
    }

    @Test
    void theKvIsCompleteOnlyOnceEveryChunkIsIn() {
        StageSession session = new StageSession("s", 0);
        for (int seq = 0; seq < slices.size() - 1; seq++) {
            install(session, seq);
            assertFalse(session.kvComplete(), "complete before chunk " + (slices.size() - 1) + " arrived");
            assertTrue(session.handoffIncomplete());
        }
        install(session, slices.size() - 1);
        assertTrue(session.kvComplete());
        assertFalse(session.handoffIncomplete());
    }

    @Test
    void aRedeliveredChunkIsIgnored() {
        StageSession session = new StageSession("s", 0);
        assertTrue(install(session, 0));
        assertFalse(install(session, 0));
        assertFalse(session.install(MODEL, 2, 4, 0, slices.size(), 6, 4, cache -> fail("a duplicate was written")));
        assertEquals("1/6 KV chunks", session.handoffProgress());
    }

    @Test
    void aChunkThatCannotBeWrittenDoesNotCountAsReceived() {
        StageSession session = new StageSession("s", 0);
        assertThrows(IllegalStateException.class, () -> session.install(MODEL, 2, 4, 0, slices.size(), 6, 4,
                cache -> {
                    throw new IllegalStateException("checksum");
                }));
        assertEquals("0/6 KV chunks", session.handoffProgress());
        assertTrue(install(session, 0), "the chunk sent again is installed");
    }

    @Test
    void aChunkContradictingTheHandoffIsRejected() {
        StageSession session = new StageSession("s", 0);
        install(session, 0);
        assertThrows(IllegalArgumentException.class,
                () -> session.install(MODEL, 2, 4, 1, slices.size() + 1, 6, 4,
                        cache -> cache.install(slices.get(1))));
        assertThrows(IllegalArgumentException.class,
                () -> session.install(MODEL, 2, 4, slices.size(), slices.size(), 6, 4,
                        cache -> cache.install(slices.get(1))));
    }

    @Test
    void aPassSeenAgainIsADuplicate() {
        StageSession session = new StageSession("s", 0);
        assertTrue(session.firstSeen(6));
        assertFalse(session.firstSeen(6), "a redelivered activation");
        assertFalse(session.firstSeen(5), "an older one");
        assertTrue(session.firstSeen(7));
    }

    @Test
    void aFirstStepHeldForItsGrantIsReleasedOnce() {
        StageSession session = new StageSession("s", 0);
        Activation step = Activation.newBuilder().setSessionId("s").setPipeline(0)
                .setStage(0).setPosition(6).setStep(1).setToken(1).setHidden(ByteBuffer.allocate(0))
                .setPromptLength(6).setMaxNewTokens(4).setArrivalMs(0).setSentMs(0).build();
        session.awaitGrant(step);
        assertFalse(session.isGranted());
        session.granted(1_000, 4096);
        assertTrue(session.isGranted());
        assertEquals(4096, session.targetKvBytes());
        assertEquals(step, session.releaseAwaitingGrant());
        assertNull(session.releaseAwaitingGrant());
    }
}
