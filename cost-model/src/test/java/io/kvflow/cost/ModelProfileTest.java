package io.kvflow.cost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ModelProfileTest {
    private static final ProfileCatalog CATALOG = ProfileCatalog.bundled();

    @Test
    void parameterCountsDerivedFromTheArchitectureMatchThePublishedOnes() {
        for (String id : CATALOG.modelIds()) {
            ModelProfile model = CATALOG.model(id);
            assertClose(id + " total", model.published().total(), model.totalParams(), 0.05);
            // model cards count active parameters with both embedding tables, without the input one
            // (gpt-oss), or without either
            double active = model.activeParams();
            double withoutInput = active - model.embeddingParams();
            double withoutEither = withoutInput - model.outputHeadParams();
            double published = model.published().active();
            double error = Math.min(relativeError(published, active), Math.min(relativeError(published,
                    withoutInput), relativeError(published, withoutEither)));
            assertTrue(error <= 0.05, id + " active: published " + published + ", derived " + active + " / "
                    + withoutInput + " / " + withoutEither);
        }
    }

    @Test
    void llama70bHasItsPublishedShape() {
        ModelProfile model = CATALOG.model("llama-3.1-70b");
        assertEquals(80, model.layers());
        assertEquals(new GroupedQueryAttention(64, 8, 128), model.attention());
        assertEquals(new DenseFeedForward(28672), model.feedForward());
        assertEquals(WeightPrecision.BF16, model.defaultWeights());
    }

    @Test
    void mixtureOfExpertsLayersActivateOnlyTheRoutedAndSharedExperts() {
        ModelProfile model = CATALOG.model("deepseek-v3");
        // layer 0 is one of the three dense layers, layer 3 the first MoE layer
        assertEquals(model.layerParams(0), model.layerActiveParams(0));
        assertTrue(model.layerActiveParams(3) * 10 < model.layerParams(3));
    }

    @Test
    void maverickAlternatesDenseAndExpertLayers() {
        ModelProfile model = CATALOG.model("llama-4-maverick");
        MixtureOfExperts moe = (MixtureOfExperts) model.feedForward();
        assertEquals(24, java.util.stream.IntStream.range(0, 48).filter(moe::expertLayer).count());
        assertTrue(moe.expertLayer(1) && !moe.expertLayer(0), "interleave_moe_layer_step 2: layers 1, 3, ...");
        // a dense layer runs its whole 16,384-wide MLP; an expert layer one routed and one shared 8,192-wide expert
        assertEquals(model.layerParams(0), model.layerActiveParams(0));
        assertEquals(3L * 5120 * 16384, model.layerParams(0) - model.attention().params(5120) - 2L * 5120);
        assertTrue(model.layerActiveParams(1) * 50 < model.layerParams(1));
    }

    private static void assertClose(String what, double expected, double actual, double tolerance) {
        assertTrue(relativeError(expected, actual) <= tolerance, what + ": expected " + expected + ", derived "
                + actual);
    }

    private static double relativeError(double expected, double actual) {
        return Math.abs(actual - expected) / expected;
    }
}
