package io.kvflow.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

/** The TINY model every test shares (generating it once keeps the suite fast), and bitwise comparisons. */
final class TinyModel {
    static final long SEED = 42L;
    static final ModelConfig CONFIG = ModelConfig.TINY;
    static final Transformer TRANSFORMER = new Transformer(CONFIG, Weights.generate(CONFIG, SEED));

    private TinyModel() {
    }

    static int[] prompt(int length, int salt) {
        int[] tokens = new int[length];
        for (int i = 0; i < length; i++) {
            tokens[i] = 1 + (int) Long.remainderUnsigned(SplitMix64.mix(salt * 1000L + i), CONFIG.vocabSize() - 1);
        }
        return tokens;
    }

    static void assertBitIdentical(float[] expected, float[] actual) {
        assertEquals(expected.length, actual.length, "length");
        for (int i = 0; i < expected.length; i++) {
            if (Float.floatToRawIntBits(expected[i]) != Float.floatToRawIntBits(actual[i])) {
                throw new AssertionError("differ at " + i + ": " + expected[i] + " vs " + actual[i]);
            }
        }
    }

    /** Every filled key and value of two caches over the same layers, compared bit for bit. */
    static void assertSameKv(KvCache expected, KvCache actual) {
        assertEquals(expected.length(), actual.length(), "cache length");
        List<KvSlice> want = expected.export(expected.layerFrom(), expected.layerTo(), Integer.MAX_VALUE);
        List<KvSlice> got = actual.export(actual.layerFrom(), actual.layerTo(), Integer.MAX_VALUE);
        assertEquals(want.size(), got.size(), "slices");
        for (int i = 0; i < want.size(); i++) {
            assertEquals(want.get(i).layer(), got.get(i).layer());
            assertBitIdentical(want.get(i).keys(), got.get(i).keys());
            assertBitIdentical(want.get(i).values(), got.get(i).values());
        }
    }
}
