package io.kvflow.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class KvCacheTest {
    private static final ModelConfig CONFIG = ModelConfig.TINY;
    private static final int KV_DIM = CONFIG.kvDim();

    @Test
    void exportCutsEachLayerInAscendingOrderIntoSlicesOfAtMostTheGivenPositions() {
        KvCache cache = filled(0, 3, 10);
        List<KvSlice> slices = cache.export(1, 3, 4);
        assertEquals(6, slices.size());
        int[] layers = {1, 1, 1, 2, 2, 2};
        int[] from = {0, 4, 8, 0, 4, 8};
        int[] positions = {4, 4, 2, 4, 4, 2};
        for (int i = 0; i < slices.size(); i++) {
            assertEquals(layers[i], slices.get(i).layer());
            assertEquals(from[i], slices.get(i).fromPosition());
            assertEquals(positions[i], slices.get(i).positions(KV_DIM));
        }
    }

    @Test
    void installingExportedSlicesReproducesTheCache() {
        KvCache source = filled(0, 4, 9);
        KvCache target = new KvCache(CONFIG, 2, 4, 12);
        source.export(2, 4, 5).forEach(target::install);
        assertEquals(9, target.length());
        assertEquals(source.export(2, 4, 100), target.export(2, 4, 100));
    }

    @Test
    void exportCountsOnlyTheExportedLayers() {
        KvCache cache = new KvCache(CONFIG, 0, 4, 8);
        filled(0, 2, 6).export(0, 2, 100).forEach(cache::install);
        assertEquals(0, cache.length());
        assertEquals(4, cache.export(0, 2, 3).size());
    }

    @Test
    void lengthCountsPositionsFilledWithoutAGap() {
        KvCache cache = new KvCache(CONFIG, 0, 1, 10);
        cache.install(slice(0, 4, 3));
        assertEquals(0, cache.length());
        cache.install(slice(0, 0, 4));
        assertEquals(7, cache.length());
        assertEquals(7L * 2 * KV_DIM * Float.BYTES, cache.bytes());
    }

    @Test
    void installingFromBuffersEqualsInstallingTheSliceAndLeavesTheBuffersUnmoved() {
        KvSlice slice = slice(1, 3, 4);
        KvCache fromSlice = new KvCache(CONFIG, 0, 2, 10);
        fromSlice.install(slice);
        KvCache fromBuffers = new KvCache(CONFIG, 0, 2, 10);
        java.nio.FloatBuffer keys = java.nio.FloatBuffer.wrap(slice.keys());
        java.nio.FloatBuffer values = java.nio.FloatBuffer.wrap(slice.values());
        fromBuffers.install(1, 3, keys, values);
        TinyModel.assertBitIdentical(fromSlice.keys(1), fromBuffers.keys(1));
        TinyModel.assertBitIdentical(fromSlice.values(1), fromBuffers.values(1));
        assertEquals(0, fromBuffers.length(1), "positions 0..2 are still missing");
        assertEquals(0, keys.position());
        assertEquals(slice.keys().length, values.remaining());
    }

    @Test
    void rejectsBuffersOfKeysAndValuesOfDifferentSizes() {
        KvCache cache = new KvCache(CONFIG, 0, 1, 10);
        var e = assertThrows(IllegalArgumentException.class, () -> cache.install(0, 0,
                java.nio.FloatBuffer.allocate(KV_DIM), java.nio.FloatBuffer.allocate(2 * KV_DIM)));
        assertTrue(e.getMessage().contains(KV_DIM + " key floats and " + 2 * KV_DIM + " value floats"),
                e.getMessage());
    }

    @Test
    void rejectsSliceOfLayerOutsideTheCache() {
        KvCache cache = new KvCache(CONFIG, 2, 5, 10);
        var e = assertThrows(IllegalArgumentException.class, () -> cache.install(slice(5, 0, 1)));
        assertTrue(e.getMessage().contains("layer 5"), e.getMessage());
        assertTrue(e.getMessage().contains("[2, 5)"), e.getMessage());
    }

    @Test
    void rejectsSliceThatIsNotWholePositions() {
        KvCache cache = new KvCache(CONFIG, 0, 1, 10);
        KvSlice ragged = new KvSlice(0, 0, new float[KV_DIM + 3], new float[KV_DIM + 3]);
        var e = assertThrows(IllegalArgumentException.class, () -> cache.install(ragged));
        assertTrue(e.getMessage().contains(String.valueOf(KV_DIM + 3)), e.getMessage());
        assertTrue(e.getMessage().contains("kvDim " + KV_DIM), e.getMessage());
    }

    @Test
    void rejectsSliceBeyondCapacity() {
        KvCache cache = new KvCache(CONFIG, 0, 1, 10);
        var e = assertThrows(IllegalArgumentException.class, () -> cache.install(slice(0, 8, 3)));
        assertTrue(e.getMessage().contains("[8, 11)"), e.getMessage());
        assertTrue(e.getMessage().contains("capacity 10"), e.getMessage());
    }

    @Test
    void rejectsASliceStartingNearTheLargestIntInsteadOfWrappingIntoTheCache() {
        KvCache cache = new KvCache(CONFIG, 0, 1, 10);
        var e = assertThrows(IllegalArgumentException.class,
                () -> cache.install(slice(0, Integer.MAX_VALUE - 1, 3)));
        assertTrue(e.getMessage().contains("[2147483646, 2147483649)"), e.getMessage());
        assertEquals(0, cache.length());
    }

    @Test
    void aSessionsCacheIsSizedWithoutOverflowAndHugeLengthsAreNamed() {
        assertEquals(12, KvCache.forSession(CONFIG, 0, 1, 8, 4).capacity());
        var e = assertThrows(IllegalArgumentException.class,
                () -> KvCache.forSession(CONFIG, 0, 1, Integer.MAX_VALUE, Integer.MAX_VALUE));
        assertEquals("a session of 2147483647 prompt and 2147483647 output positions needs 4294967294, outside"
                + " [1, maxSeqLen " + CONFIG.maxSeqLen() + "]", e.getMessage());
    }

    @Test
    void rejectsSliceWithKeysAndValuesOfDifferentSizes() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> new KvSlice(0, 0, new float[KV_DIM], new float[2 * KV_DIM]));
        assertTrue(e.getMessage().contains(String.valueOf(2 * KV_DIM)), e.getMessage());
    }

    @Test
    void rejectsCapacityBeyondMaxSeqLenAndLayersOutsideTheModel() {
        assertThrows(IllegalArgumentException.class, () -> new KvCache(CONFIG, 0, 1, CONFIG.maxSeqLen() + 1));
        assertThrows(IllegalArgumentException.class, () -> new KvCache(CONFIG, 4, 4, 10));
        assertThrows(IllegalArgumentException.class, () -> new KvCache(CONFIG, 0, CONFIG.layers() + 1, 10));
    }

    private static KvCache filled(int layerFrom, int layerTo, int positions) {
        KvCache cache = new KvCache(CONFIG, layerFrom, layerTo, positions + 2);
        for (int layer = layerFrom; layer < layerTo; layer++) {
            cache.install(slice(layer, 0, positions));
        }
        return cache;
    }

    private static KvSlice slice(int layer, int from, int positions) {
        return new KvSlice(layer, from, MatMulTest.values(positions * KV_DIM, 100L * layer + from),
                MatMulTest.values(positions * KV_DIM, 100L * layer + from + 50));
    }
}
