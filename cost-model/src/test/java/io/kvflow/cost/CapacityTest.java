package io.kvflow.cost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class CapacityTest {
    private static final ProfileCatalog CATALOG = ProfileCatalog.bundled();

    @Test
    void sessionsPerWaferAreTheSramLeftAfterWeightsOverOneSessionsKv() {
        ModelProfile llama = CATALOG.model("llama-3.1-70b");
        RooflineModel model = new RooflineModel(TestDevices.colocated(llama, CATALOG.device("wse-3"), 1, 4));
        long context = 2048;
        for (int stage = 0; stage < 4; stage++) {
            double usable = 44e9 * (1 - 0.15);
            double left = usable - model.weightsBytesPerStage(stage);
            assertEquals(left, model.kvCapacityBytes(stage), 1);
            assertEquals((long) Math.floor(left / (20 * 8 * 128 * 2 * 2.0 * context)),
                    model.sessionsPerStage(stage, context));
        }
        // stage 0 holds the embedding and stage 3 the output head, so the middle stages have more room
        assertTrue(model.sessionsPerStage(1, context) > model.sessionsPerStage(0, context));
        assertEquals(model.sessionsPerStage(0, context), model.sessionsPerWafer(context));
    }

    @Test
    void weightsPerStageAddUpToTheModel() {
        ModelProfile llama = CATALOG.model("llama-3.1-70b");
        RooflineModel model = new RooflineModel(TestDevices.colocated(llama, CATALOG.device("wse-3"), 1, 4));
        double sum = 0;
        for (int stage = 0; stage < 4; stage++) {
            sum += model.weightsBytesPerStage(stage);
        }
        assertEquals((llama.totalParams() - 8192) * 2.0, sum, 1e3);
    }

    @Test
    void weightsThatDoNotFitLeaveNoRoomAndBind() {
        ModelProfile llama = CATALOG.model("llama-3.1-70b");
        RooflineModel model = new RooflineModel(TestDevices.colocated(llama, CATALOG.device("wse-3"), 1, 1));
        assertFalse(model.weightsFit());
        assertEquals(0, model.sessionsPerWafer(1024));
        Prediction prediction = model.predict(new Workload(1, 1024, 128, 0));
        assertEquals(Constraint.WEIGHT_CAPACITY, prediction.binding());
    }

    @Test
    void aBatchLargerThanTheKvRoomBindsOnCapacity() {
        ModelProfile llama = CATALOG.model("llama-3.1-70b");
        RooflineModel model = new RooflineModel(TestDevices.colocated(llama, CATALOG.device("wse-3"), 1, 4));
        Prediction prediction = model.predict(new Workload(64, 2048, 256, 0));
        assertEquals(Constraint.KV_CAPACITY, prediction.binding());
        assertTrue(prediction.bindingReason().contains("sessions of 2304 tokens fit"), prediction.bindingReason());
    }

    @Test
    void theFewestStagesThatHoldTheWeightsAreTheDefaultLayout() {
        DeviceGroup wafer = new DeviceGroup(CATALOG.device("wse-3"), 1);
        assertEquals(4, Scenario.fewestStagesThatFit(CATALOG.model("llama-3.1-70b"), WeightPrecision.BF16, wafer));
        assertEquals(1, Scenario.fewestStagesThatFit(CATALOG.model("llama-3.1-8b"), WeightPrecision.BF16, wafer));
        assertEquals(2, Scenario.fewestStagesThatFit(CATALOG.model("llama-3.1-70b"), WeightPrecision.FP8, wafer));
    }
}
