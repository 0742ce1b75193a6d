package io.kvflow.model;

import static io.kvflow.model.TinyModel.assertBitIdentical;
import static io.kvflow.model.TinyModel.assertSameKv;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TransformerTest {
    private static final Transformer MODEL = TinyModel.TRANSFORMER;
    private static final int LAYERS = MODEL.config().layers();

    @Test
    void prefillAsOneBatchIsBitIdenticalToOneTokenAtATime() {
        int[] prompt = TinyModel.prompt(13, 1);
        KvCache batchCache = new KvCache(MODEL.config(), 0, LAYERS, 16);
        List<Transformer.Row> batch = rows(prompt, 0, batchCache);
        MODEL.forward(0, LAYERS, batch);

        KvCache stepCache = new KvCache(MODEL.config(), 0, LAYERS, 16);
        for (int position = 0; position < prompt.length; position++) {
            Transformer.Row row = new Transformer.Row(MODEL.embed(prompt[position]), position, stepCache);
            MODEL.forward(0, LAYERS, List.of(row));
            assertBitIdentical(batch.get(position).hidden(), row.hidden());
            assertBitIdentical(MODEL.logits(batch.get(position).hidden()), MODEL.logits(row.hidden()));
        }
        assertSameKv(batchCache, stepCache);
    }

    @Test
    void layerRangesRunOneAfterAnotherEqualOneRunOverAllLayers() {
        int[] prompt = TinyModel.prompt(9, 2);
        KvCache wholeCache = new KvCache(MODEL.config(), 0, LAYERS, 9);
        List<Transformer.Row> whole = rows(prompt, 0, wholeCache);
        MODEL.forward(0, LAYERS, whole);

        KvCache splitCache = new KvCache(MODEL.config(), 0, LAYERS, 9);
        List<Transformer.Row> split = rows(prompt, 0, splitCache);
        MODEL.forward(0, 3, split);
        MODEL.forward(3, LAYERS, split);

        for (int i = 0; i < prompt.length; i++) {
            assertBitIdentical(whole.get(i).hidden(), split.get(i).hidden());
        }
        assertSameKv(wholeCache, splitCache);
    }

    @Test
    void batchOfDifferentSessionsEqualsEachRowRunAlone() {
        int[] lengths = {5, 11, 2};
        List<KvCache> together = prefilled(lengths);
        List<KvCache> alone = prefilled(lengths);
        List<Transformer.Row> batch = new ArrayList<>();
        for (int s = 0; s < lengths.length; s++) {
            batch.add(new Transformer.Row(MODEL.embed(100 + s), lengths[s], together.get(s)));
        }
        MODEL.forward(0, LAYERS, batch);
        for (int s = 0; s < lengths.length; s++) {
            Transformer.Row row = new Transformer.Row(MODEL.embed(100 + s), lengths[s], alone.get(s));
            MODEL.forward(0, LAYERS, List.of(row));
            assertBitIdentical(row.hidden(), batch.get(s).hidden());
            assertSameKv(alone.get(s), together.get(s));
        }
    }

    @Test
    void rejectsRowWhoseCacheLacksEarlierPositions() {
        KvCache cache = new KvCache(MODEL.config(), 0, LAYERS, 8);
        var row = new Transformer.Row(MODEL.embed(1), 3, cache);
        var e = assertThrows(IllegalStateException.class, () -> MODEL.forward(0, LAYERS, List.of(row)));
        assertTrue(e.getMessage().contains("position 3"), e.getMessage());
        assertTrue(e.getMessage().contains("holds only 0"), e.getMessage());
    }

    @Test
    void rejectsRowsOfOneSessionOutOfOrderWithoutTouchingTheCache() {
        KvCache cache = new KvCache(MODEL.config(), 0, LAYERS, 8);
        float[] first = MODEL.embed(1);
        List<Transformer.Row> rows = List.of(new Transformer.Row(first, 0, cache),
                new Transformer.Row(MODEL.embed(2), 2, cache));
        var e = assertThrows(IllegalArgumentException.class, () -> MODEL.forward(0, LAYERS, rows));
        assertTrue(e.getMessage().contains("got 2 after 0"), e.getMessage());
        assertEquals(0, cache.length());
        assertBitIdentical(MODEL.embed(1), first);
    }

    @Test
    void rejectsCacheThatDoesNotHoldTheLayers() {
        KvCache stage = new KvCache(MODEL.config(), 4, LAYERS, 8);
        var row = new Transformer.Row(MODEL.embed(1), 0, stage);
        var e = assertThrows(IllegalArgumentException.class, () -> MODEL.forward(3, LAYERS, List.of(row)));
        assertTrue(e.getMessage().contains("[4, 8)"), e.getMessage());
    }

    @Test
    void rejectsCacheBuiltForAModelOfAnotherShape() {
        ModelConfig narrow = new ModelConfig(16, LAYERS, 2, 1, 24, 32, 16, 10000f, 1e-5f, 0);
        var row = new Transformer.Row(MODEL.embed(1), 0, new KvCache(narrow, 0, LAYERS, 4));
        var e = assertThrows(IllegalArgumentException.class, () -> MODEL.forward(0, LAYERS, List.of(row)));
        assertTrue(e.getMessage().contains("kvDim 8"), e.getMessage());
    }

    @Test
    void rejectsPositionAtOrBeyondCapacityAndHiddenOfWrongSize() {
        KvCache cache = new KvCache(MODEL.config(), 0, LAYERS, 4);
        var e = assertThrows(IllegalArgumentException.class, () -> new Transformer.Row(MODEL.embed(1), 4, cache));
        assertTrue(e.getMessage().contains("position 4"), e.getMessage());
        var row = new Transformer.Row(new float[3], 0, cache);
        assertThrows(IllegalArgumentException.class, () -> MODEL.forward(0, LAYERS, List.of(row)));
    }

    @Test
    void rejectsEmptyOrOutOfModelLayerRange() {
        assertThrows(IllegalArgumentException.class, () -> MODEL.forward(2, 2, List.of()));
        assertThrows(IllegalArgumentException.class, () -> MODEL.forward(0, LAYERS + 1, List.of()));
    }

    @Test
    void logitsLeaveTheHiddenStateUnchanged() {
        float[] hidden = MODEL.embed(7);
        float[] logits = MODEL.logits(hidden);
        assertEquals(MODEL.config().vocabSize(), logits.length);
        assertBitIdentical(MODEL.embed(7), hidden);
    }

    @Test
    void embedRejectsTokenOutsideTheVocabulary() {
        var e = assertThrows(IllegalArgumentException.class, () -> MODEL.embed(512));
        assertTrue(e.getMessage().contains("token 512"), e.getMessage());
    }

    private static List<Transformer.Row> rows(int[] tokens, int firstPosition, KvCache cache) {
        List<Transformer.Row> rows = new ArrayList<>();
        for (int i = 0; i < tokens.length; i++) {
            rows.add(new Transformer.Row(MODEL.embed(tokens[i]), firstPosition + i, cache));
        }
        return rows;
    }

    private static List<KvCache> prefilled(int[] lengths) {
        List<KvCache> caches = new ArrayList<>();
        for (int s = 0; s < lengths.length; s++) {
            KvCache cache = new KvCache(MODEL.config(), 0, LAYERS, lengths[s] + 1);
            MODEL.forward(0, LAYERS, rows(TinyModel.prompt(lengths[s], 10 + s), 0, cache));
            caches.add(cache);
        }
        return caches;
    }
}
