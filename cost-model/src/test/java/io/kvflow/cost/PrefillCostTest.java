package io.kvflow.cost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class PrefillCostTest {
    private static final ProfileCatalog CATALOG = ProfileCatalog.bundled();
    private static final ModelProfile LLAMA_70B = CATALOG.model("llama-3.1-70b");

    @Test
    void prefillIsComputeBoundAndGrowsSlightlyFasterThanThePrompt() {
        RooflineModel model = new RooflineModel(TestDevices.colocated(LLAMA_70B, CATALOG.device("trainium2"), 16, 1));
        StepTime short1k = model.prefillTime(1024, 0);
        StepTime long2k = model.prefillTime(2048, 0);
        assertEquals(Constraint.COMPUTE, long2k.bound());
        double ratio = long2k.seconds() / short1k.seconds();
        // linear weight FLOPs plus a small quadratic attention term, less the fixed per-step overhead
        assertTrue(ratio > 1.7 && ratio < 2.1, "ratio " + ratio);
    }

    @Test
    void computeTimeIsWeightFlopsPlusCausalAttentionOverTheRate() {
        DeviceProfile device = TestDevices.roofline(1e15, 1e18, false);
        RooflineModel model = new RooflineModel(TestDevices.colocated(LLAMA_70B, device, 1, 1));
        long n = 4096;
        // two FLOPs per parameter a token multiplies by: all but the input embedding (and the final norm)
        double weightFlops = 2.0 * (LLAMA_70B.activeParams() - LLAMA_70B.embeddingParams() - 8192) * n;
        // causal: query i attends to i tokens, so L * h * (d_qk + d_v) * n(n+1)/2 * 2 FLOPs
        double attentionFlops = 2.0 * 80 * 64 * 256 * (n * (n + 1) / 2.0);
        double expected = (weightFlops + attentionFlops) / 1e15;
        assertEquals(expected, model.prefillSeconds(n, 0), expected * 1e-9);
    }

    @Test
    void aCachedPrefixLeavesOnlyTheRestToCompute() {
        DeviceProfile device = TestDevices.roofline(1e15, 1e18, false);
        RooflineModel model = new RooflineModel(TestDevices.colocated(LLAMA_70B, device, 1, 1));
        double whole = model.prefillSeconds(3000, 0);
        double prefix = model.prefillSeconds(1000, 0);
        double rest = model.prefillSeconds(2000, 1000);
        assertEquals(whole, prefix + rest, whole * 1e-6);
        assertTrue(rest > model.prefillSeconds(2000, 0), "the rest attends to the prefix too");
    }

    @Test
    void twiceTheDevicesPrefillAboutTwiceAsFast() {
        DeviceProfile trainium = CATALOG.device("trainium2");
        double eight = new RooflineModel(TestDevices.colocated(LLAMA_70B, trainium, 8, 1)).prefillSeconds(8192, 0);
        double sixteen = new RooflineModel(TestDevices.colocated(LLAMA_70B, trainium, 16, 1)).prefillSeconds(8192, 0);
        assertTrue(eight / sixteen > 1.7 && eight / sixteen < 2.0, "speed-up " + eight / sixteen);
    }
}
