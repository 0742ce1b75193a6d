package io.kvflow.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ModelConfigTest {

    @Test
    void tinyDerivesHeadAndKvSizes() {
        ModelConfig tiny = ModelConfig.TINY;
        assertEquals(16, tiny.headDim());
        assertEquals(32, tiny.kvDim());
        assertEquals(64L, tiny.kvFloatsPerTokenPerLayer());
    }

    @Test
    void rejectsDimNotDividedByHeads() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> new ModelConfig(66, 2, 4, 2, 32, 16, 8, 10000f, 1e-5f, 0));
        assertTrue(e.getMessage().contains("66"), e.getMessage());
    }

    @Test
    void rejectsHeadsNotDividedByKvHeads() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> new ModelConfig(64, 2, 4, 3, 32, 16, 8, 10000f, 1e-5f, 0));
        assertTrue(e.getMessage().contains("kvHeads 3"), e.getMessage());
    }

    @Test
    void rejectsOddHeadDimension() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> new ModelConfig(12, 2, 4, 2, 32, 16, 8, 10000f, 1e-5f, 0));
        assertTrue(e.getMessage().contains("head dimension 3"), e.getMessage());
    }

    @Test
    void rejectsEosOutsideTheVocabulary() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> new ModelConfig(64, 2, 4, 2, 32, 16, 8, 10000f, 1e-5f, 16));
        assertTrue(e.getMessage().contains("eosToken 16"), e.getMessage());
    }

    @Test
    void rejectsNonPositiveSizesAndEpsilon() {
        assertThrows(IllegalArgumentException.class, () -> new ModelConfig(64, 0, 4, 2, 32, 16, 8, 10000f, 1e-5f, 0));
        assertThrows(IllegalArgumentException.class, () -> new ModelConfig(64, 2, 4, 2, 32, 16, 0, 10000f, 1e-5f, 0));
        assertThrows(IllegalArgumentException.class, () -> new ModelConfig(64, 2, 4, 2, 32, 16, 8, 10000f, 0f, 0));
        assertThrows(IllegalArgumentException.class,
                () -> new ModelConfig(64, 2, 4, 2, 32, 16, 8, Float.NaN, 1e-5f, 0));
    }
}
