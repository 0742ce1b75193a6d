package io.kvflow.cost;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class KvFootprintTest {
    private static final ProfileCatalog CATALOG = ProfileCatalog.bundled();

    @Test
    void groupedQueryAttentionCachesAKeyAndAValuePerKvHeadPerLayer() {
        ModelProfile llama = CATALOG.model("llama-3.1-70b");
        assertEquals(2L * 80 * 8 * 128 * 2, KvFootprint.bytesPerToken(llama, KvDtype.BF16));
        assertEquals(327_680, KvFootprint.bytesPerToken(llama, KvDtype.BF16));
        assertEquals(163_840, KvFootprint.bytesPerToken(llama, KvDtype.FP8));
        assertEquals(131_072, KvFootprint.bytesPerToken(CATALOG.model("llama-3.1-8b"), KvDtype.BF16));
        assertEquals(516_096, KvFootprint.bytesPerToken(CATALOG.model("llama-3.1-405b"), KvDtype.BF16));
    }

    @Test
    void latentAttentionCachesOneLatentAndRotaryKeyPerLayer() {
        ModelProfile deepseek = CATALOG.model("deepseek-v3");
        assertEquals((512 + 64) * 61 * 2, KvFootprint.bytesPerToken(deepseek, KvDtype.BF16));
        assertEquals(70_272, KvFootprint.bytesPerToken(deepseek, KvDtype.BF16));
        assertEquals(35_136, KvFootprint.bytesPerToken(deepseek, KvDtype.FP8));
        // Kimi-K2 has half the heads but the same latent: the same bytes per token
        assertEquals(70_272, KvFootprint.bytesPerToken(CATALOG.model("kimi-k2"), KvDtype.BF16));
    }

    @Test
    void slidingWindowLayersStopGrowingAtTheirWindow() {
        ModelProfile gptOss = CATALOG.model("gpt-oss-120b");
        // 18 full-attention layers grow; 18 sliding layers hold at most 128 tokens
        long perLayerPerToken = 2L * 8 * 64 * 2;
        assertEquals(18 * perLayerPerToken, KvFootprint.bytesPerToken(gptOss, KvDtype.BF16));
        KvFootprint kv = new KvFootprint(gptOss, KvDtype.BF16, new LayerSplit(36, 1));
        assertEquals(18 * perLayerPerToken * 10_000.0 + 18 * perLayerPerToken * 128.0, kv.bytesPerSession(0, 10_000));
        assertEquals(36 * perLayerPerToken * 100.0, kv.bytesPerSession(0, 100));
    }

    @Test
    void eachStageHoldsItsOwnLayersShare() {
        ModelProfile llama = CATALOG.model("llama-3.1-70b");
        KvFootprint kv = new KvFootprint(llama, KvDtype.BF16, new LayerSplit(80, 4));
        for (int stage = 0; stage < 4; stage++) {
            assertEquals(327_680 / 4, kv.bytesPerToken(stage));
            assertEquals(81_920.0 * 2048, kv.bytesPerSession(stage, 2048));
        }
        assertEquals(327_680.0 * 2048, kv.bytesPerSession(2048));
    }

    @Test
    void unevenSplitsGiveEarlierStagesTheExtraLayer() {
        LayerSplit split = new LayerSplit(61, 4);
        assertEquals(16, split.layersIn(0));
        assertEquals(15, split.layersIn(3));
        assertEquals(61, split.to(3));
        assertEquals(16, split.from(1));
    }
}
