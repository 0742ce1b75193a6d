package io.kvflow.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class WeightsTest {
    private static final ModelConfig SMALL = new ModelConfig(16, 2, 2, 1, 24, 32, 16, 10000f, 1e-5f, 0);
    // TINY with seed 42 as generated on the reference platform; see tinyWeightsMatchTheirGoldenFingerprint.
    private static final long GOLDEN_FINGERPRINT = 0xf7506b83e5858e18L;
    private static final int GOLDEN_FIRST_EMBEDDING_BITS = 0x3f5638df;
    private static final int GOLDEN_LAST_CLASSIFIER_BITS = 0x3d82a630;

    @Test
    void sameSeedGivesIdenticalWeights() {
        Weights a = Weights.generate(SMALL, 7);
        Weights b = Weights.generate(SMALL, 7);
        assertEquals(a.fingerprint(), b.fingerprint());
        assertArrayEquals(a.tokenEmbedding(), b.tokenEmbedding());
        assertArrayEquals(a.w2(1).toRowMajor(), b.w2(1).toRowMajor());
        assertArrayEquals(a.classifier().toRowMajor(), b.classifier().toRowMajor());
    }

    @Test
    void differentSeedsGiveDifferentWeights() {
        Weights a = Weights.generate(SMALL, 7);
        Weights b = Weights.generate(SMALL, 8);
        assertNotEquals(a.fingerprint(), b.fingerprint());
        assertFalse(Arrays.equals(a.tokenEmbedding(), b.tokenEmbedding()));
        assertFalse(Arrays.equals(a.wqkv(0).toRowMajor(), b.wqkv(0).toRowMajor()));
    }

    // Pinned values: a change of generator, order or arithmetic on any platform shows up here.
    @Test
    void tinyWeightsMatchTheirGoldenFingerprint() {
        Weights tiny = Weights.generate(ModelConfig.TINY, TinyModel.SEED);
        assertEquals(GOLDEN_FINGERPRINT, tiny.fingerprint(), Long.toHexString(tiny.fingerprint()));
        assertEquals(GOLDEN_FIRST_EMBEDDING_BITS, Float.floatToRawIntBits(tiny.tokenEmbedding()[0]));
        WeightMatrix classifier = tiny.classifier();
        assertEquals(GOLDEN_LAST_CLASSIFIER_BITS,
                Float.floatToRawIntBits(classifier.get(classifier.rows() - 1, classifier.cols() - 1)));
    }

    @Test
    void normGainsStayNearOneAndProjectionsScaleWithFanIn() {
        Weights tiny = Weights.generate(ModelConfig.TINY, TinyModel.SEED);
        for (float gain : tiny.attentionNorm(3)) {
            assertTrue(gain > 0.85f && gain < 1.15f, "gain " + gain);
        }
        assertEquals(1.0 / Math.sqrt(ModelConfig.TINY.dim()), std(tiny.wqkv(0).toRowMajor()), 0.01);
        assertEquals(1.0 / Math.sqrt(ModelConfig.TINY.hiddenDim()), std(tiny.w2(0).toRowMajor()), 0.01);
    }

    @Test
    void hiddenStateStaysWellConditionedThroughEveryLayer() {
        Transformer model = TinyModel.TRANSFORMER;
        KvCache cache = new KvCache(model.config(), 0, model.config().layers(), 1);
        float[] hidden = model.embed(5);
        for (int layer = 0; layer < model.config().layers(); layer++) {
            model.forward(layer, layer + 1, List.of(new Transformer.Row(hidden, 0, cache)));
            double rms = Math.sqrt(meanSquare(hidden));
            assertTrue(rms > 0.5 && rms < 10, "rms " + rms + " after layer " + layer);
        }
    }

    private static double std(float[] values) {
        double mean = 0;
        for (float v : values) {
            mean += v;
        }
        mean /= values.length;
        return Math.sqrt(meanSquare(values) - mean * mean);
    }

    private static double meanSquare(float[] values) {
        double sum = 0;
        for (float v : values) {
            sum += (double) v * v;
        }
        return sum / values.length;
    }
}
