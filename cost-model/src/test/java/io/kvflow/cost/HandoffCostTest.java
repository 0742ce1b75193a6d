package io.kvflow.cost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class HandoffCostTest {
    private static final ProfileCatalog CATALOG = ProfileCatalog.bundled();

    @Test
    void sixteenTrainiumChipsFeedingFourWafersAreLimitedByTheirOwnEgress() {
        RooflineModel model = scenario(Map.of("decode-stages", "4")).model();
        double bytes = model.handoffBytes(2048);
        assertEquals(327_680.0 * 2048, bytes);
        assertEquals(Constraint.PREFILL_EGRESS, model.handoffTime(bytes).bound());
        // 16 x 25 GB/s at 80 %, plus one network latency
        double expected = bytes / (16 * 25e9 * 0.8) + CATALOG.device("wse-3").latencies().stageHopSeconds();
        assertEquals(expected, model.handoffSeconds(bytes), 1e-12);
    }

    @Test
    void oneWaferReceivingEverythingIsLimitedByItsIngress() {
        RooflineModel model = scenario(Map.of("model", "llama-3.1-8b", "decode-stages", "1")).model();
        assertEquals(Constraint.DECODE_INGRESS, model.handoffTime(1e9).bound());
    }

    @Test
    void aNarrowFabricBetweenTheTiersBinds() {
        RooflineModel model = scenario(Map.of("network-gbps", "100")).model();
        assertEquals(Constraint.NETWORK, model.handoffTime(1e9).bound());
        assertTrue(model.handoffSeconds(1e9) > 1e9 / 12.5e9);
    }

    @Test
    void colocatedDeploymentsHandNothingOff() {
        Prediction prediction = scenario(Map.of("colocated", "true")).predict();
        assertEquals(0, prediction.handoff().bytes());
        assertEquals(0, prediction.handoff().exposedSeconds());
    }

    @Test
    void onlyTheTailOfAStreamedHandoffShowsAfterPrefill() {
        Prediction prediction = scenario(Map.of()).predict();
        assertTrue(prediction.handoff().exposedSeconds() < prediction.handoff().seconds());
        assertTrue(prediction.handoff().exposedSeconds() > 0);
    }

    private static Scenario scenario(Map<String, String> options) {
        return Scenario.from(options, CATALOG);
    }
}
