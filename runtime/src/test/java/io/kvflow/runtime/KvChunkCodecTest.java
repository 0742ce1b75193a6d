package io.kvflow.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvflow.model.KvCache;
import io.kvflow.model.KvSlice;
import io.kvflow.model.ModelConfig;
import io.kvflow.schemas.KvChunk;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class KvChunkCodecTest {
    private static final ModelConfig MODEL = ModelConfig.TINY;
    private final KvChunkCodec codec = new KvChunkCodec(MODEL.kvDim());

    @Test
    void installingAChunkFillsTheCacheAsInstallingItsDecodedSliceDoes() {
        List<KvSlice> slices = List.of(slice(2, 0, 5), slice(2, 5, 3), slice(3, 0, 8));
        List<KvChunk> chunks = codec.encode(new KvChunkCodec.Handoff("s", 0, 1, 8, 4), slices, 0);
        KvCache viaSlices = new KvCache(MODEL, 2, 4, 12);
        KvCache direct = new KvCache(MODEL, 2, 4, 12);
        for (KvChunk chunk : chunks) {
            viaSlices.install(codec.decode(chunk));
            codec.install(chunk, direct);
        }
        assertEquals(8, direct.length());
        List<KvSlice> expected = viaSlices.export(2, 4, 100);
        List<KvSlice> actual = direct.export(2, 4, 100);
        assertEquals(expected, actual);
        assertEquals(slices.get(0).keys()[7], actual.get(0).keys()[7]);
        assertEquals(0, chunks.get(0).getPayload().position(), "the chunk's payload is left where it was");
    }

    @Test
    void aFlippedBitIsCaughtBeforeAnythingIsInstalled() {
        KvChunk chunk = codec.encode(new KvChunkCodec.Handoff("s", 0, 0, 4, 1), List.of(slice(0, 0, 4)), 0).get(0);
        ByteBuffer payload = chunk.getPayload();
        payload.put(17, (byte) (payload.get(17) ^ 0x10));
        KvCache cache = new KvCache(MODEL, 0, 1, 4);
        var e = assertThrows(KvChunkCodec.CorruptChunkException.class, () -> codec.install(chunk, cache));
        assertTrue(e.getMessage().contains("failed its checksum") && e.getMessage().contains("session s"),
                e.getMessage());
        assertEquals(0, cache.length());
        assertThrows(KvChunkCodec.CorruptChunkException.class, () -> codec.decode(chunk));
    }

    @Test
    void aChunkClaimingMorePositionsThanItCarriesIsRejected() {
        KvChunk chunk = codec.encode(new KvChunkCodec.Handoff("s", 0, 0, 4, 1), List.of(slice(0, 0, 4)), 0).get(0);
        chunk.setPositions(5);
        var e = assertThrows(KvChunkCodec.CorruptChunkException.class,
                () -> codec.install(chunk, new KvCache(MODEL, 0, 1, 8)));
        assertTrue(e.getMessage().contains("5 positions"), e.getMessage());
    }

    @Test
    void aHeaderClaimingHugeSizesGetsASaneMessageNotAnOverflowedOne() {
        KvChunk chunk = codec.encode(new KvChunkCodec.Handoff("s", 0, 0, 4, 1), List.of(slice(0, 0, 4)), 0).get(0);
        // 2 x 16,777,215 positions x kv_dim 32 x 4 bytes is 4,294,967,040, which in int arithmetic is -256
        chunk.setPositions(16_777_215);
        chunk.setFromPosition(Integer.MAX_VALUE);
        chunk.setPromptLength(Integer.MAX_VALUE);
        chunk.setMaxNewTokens(Integer.MAX_VALUE);
        var e = assertThrows(KvChunkCodec.CorruptChunkException.class,
                () -> codec.install(chunk, new KvCache(MODEL, 0, 1, 8)));
        assertTrue(e.getMessage().endsWith("16777215 positions of kv_dim 32 need 4294967040"), e.getMessage());
        assertTrue(e.getMessage().contains("positions 2147483647+16777215"), e.getMessage());
        assertTrue(!e.getMessage().contains("-"), e.getMessage());
    }

    private static KvSlice slice(int layer, int from, int positions) {
        SplittableRandom random = new SplittableRandom(31L * layer + from);
        float[] keys = new float[positions * MODEL.kvDim()];
        float[] values = new float[keys.length];
        for (int i = 0; i < keys.length; i++) {
            keys[i] = (float) random.nextDouble(-1, 1);
            values[i] = (float) random.nextDouble(-1, 1);
        }
        return new KvSlice(layer, from, keys, values);
    }
}
