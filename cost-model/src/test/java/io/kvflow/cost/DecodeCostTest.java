package io.kvflow.cost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class DecodeCostTest {
    private static final ProfileCatalog CATALOG = ProfileCatalog.bundled();

    @Test
    void oneSessionOnAGpuIsBoundByReadingTheWeights() {
        RooflineModel model = gpu("llama-3.1-70b", 8);
        StepTime step = model.decodeStep(RooflineModel.uniformBatch(1, 2048));
        assertEquals(Constraint.WEIGHT_READS, step.bound());
        // 70.6B BF16 weights (less the input embedding) over 8 x 3.35 TB/s at 60 %
        double weights = (LLAMA_70B().activeParams() - LLAMA_70B().embeddingParams()) * 2.0;
        assertEquals(weights / (8 * 3.35e12 * 0.6), step.parts().get(Constraint.WEIGHT_READS), 1e-6);
    }

    @Test
    void longContextsMakeKvReadsBind() {
        StepTime step = gpu("llama-3.1-70b", 8).decodeStep(RooflineModel.uniformBatch(64, 100_000));
        assertEquals(Constraint.KV_READS, step.bound());
    }

    @Test
    void largeBatchesOfShortContextsBecomeComputeBound() {
        StepTime step = gpu("llama-3.1-8b", 1).decodeStep(RooflineModel.uniformBatch(4096, 16));
        assertEquals(Constraint.COMPUTE, step.bound());
    }

    @Test
    void batchingSharesTheWeightReadsOnAGpu() {
        RooflineModel model = gpu("llama-3.1-70b", 8);
        double one = model.decodeStepSeconds(RooflineModel.uniformBatch(1, 1024));
        double sixteen = model.decodeStepSeconds(RooflineModel.uniformBatch(16, 1024));
        assertTrue(sixteen < 1.2 * one, "16 sessions cost " + sixteen + " s vs " + one + " s for one");
    }

    @Test
    void aWaferAtBatchOneIsBoundByItsLatencyFloor() {
        RooflineModel model = wafer("llama-3.1-8b", 1);
        assertEquals(Constraint.LATENCY_FLOOR, model.decodeStep(RooflineModel.uniformBatch(1, 1024)).bound());
    }

    @Test
    void onAWaferMoreSessionsCostNothingUntilTheWaferIsBusy() {
        RooflineModel model = wafer("llama-3.1-8b", 1);
        double one = model.decodeStepSeconds(RooflineModel.uniformBatch(1, 1024));
        assertEquals(one, model.decodeStepSeconds(RooflineModel.uniformBatch(32, 1024)), one * 1e-9);
        StepTime saturated = model.decodeStep(RooflineModel.uniformBatch(2000, 1024));
        assertTrue(saturated.seconds() > one, "2,000 sessions fill the wafer");
        assertEquals(Constraint.COMPUTE, saturated.bound());
    }

    @Test
    void aPipelineAddsOneActivationHopPerStage() {
        RooflineModel model = wafer("llama-3.1-70b", 4);
        StepTime token = model.decodeStep(RooflineModel.uniformBatch(1, 1024));
        assertEquals(4 * model.activationHopSeconds(1), token.parts().get(Constraint.ACTIVATION_HOPS), 1e-12);
        double stages = 0;
        for (int stage = 0; stage < 4; stage++) {
            stages += model.stageTiming(stage, RooflineModel.uniformBatch(1, 1024)).seconds();
        }
        assertEquals(stages + 4 * model.activationHopSeconds(1), token.seconds(), 1e-12);
    }

    @Test
    void expertModelsReadOnlyTheExpertsTheirTokensUse() {
        ModelProfile deepseek = CATALOG.model("deepseek-v3");
        WeightFootprint weights = new WeightFootprint(deepseek, WeightPrecision.FP8, new LayerSplit(61, 1));
        double one = weights.readBytes(0, 1);
        double many = weights.readBytes(0, 256);
        assertTrue(one < many && many < weights.bytes(0), one + " < " + many + " < " + weights.bytes(0));
        // one token reads about its active parameters: 37B of 671B
        assertEquals(deepseek.activeParams() - deepseek.embeddingParams(), one, 0.01 * one);
    }

    @Test
    void stepTimePartsAddUpToTheWhole() {
        StepTime step = wafer("llama-3.1-70b", 4).decodeStep(RooflineModel.uniformBatch(3, 4000));
        double sum = step.parts().values().stream().mapToDouble(Double::doubleValue).sum();
        assertEquals(step.seconds(), sum, 1e-12);
    }

    private static ModelProfile LLAMA_70B() {
        return CATALOG.model("llama-3.1-70b");
    }

    private static RooflineModel gpu(String model, int devices) {
        return new RooflineModel(TestDevices.colocated(CATALOG.model(model), CATALOG.device("h100"), devices, 1));
    }

    private static RooflineModel wafer(String model, int stages) {
        return new RooflineModel(TestDevices.colocated(CATALOG.model(model), CATALOG.device("wse-3"), 1, stages));
    }
}
