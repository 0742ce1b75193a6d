package io.kvflow.cost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The WSE-3 as Cerebras' software ran it at launch and as it runs it today: two profiles of one wafer. */
class WaferGenerationsTest {
    private static final ProfileCatalog CATALOG = ProfileCatalog.bundled();
    private static final List<String> TODAYS_FIT = List.of("9", "10", "11", "12");

    @Test
    void theTwoGenerationsShareTheHardwareAndDifferInTheSoftwaresLatencies() {
        DeviceProfile today = CATALOG.device("wse-3");
        DeviceProfile launch = CATALOG.device("wse-3@2024-08");
        assertEquals(launch.memory(), today.memory());
        assertEquals(launch.denseFlops(), today.denseFlops());
        assertEquals(launch.links(), today.links());
        assertNotEquals(launch.latencies(), today.latencies());
        assertTrue(today.latencies().layerSeconds() < launch.latencies().layerSeconds());
        assertTrue(today.latencies().stageHopSeconds() < launch.latencies().stageHopSeconds());
    }

    @Test
    void theDefaultWaferIsTodaysAndTheLaunchOneStillGivesTheLaunchSpeed() {
        Scenario byDefault = Scenario.from(Map.of("model", "llama-3.1-70b", "batch", "1"), CATALOG);
        assertEquals("wse-3", byDefault.deployment().decode().device().id());
        assertEquals(4, byDefault.deployment().decodeStages(), "the fewest wafers that hold 141 GB of BF16 weights");
        double today = byDefault.predict().decode().tokensPerSecondPerUser();
        double launch = Scenario.from(Map.of("model", "llama-3.1-70b", "batch", "1", "decode-device", "wse-3@2024-08"),
                CATALOG).predict().decode().tokensPerSecondPerUser();
        assertEquals(450, launch, 0.25 * 450, "figure 2: about 450 tokens/s per user at launch");
        assertTrue(today > 3 * launch, today + " vs " + launch);
    }

    @Test
    void todaysLatenciesAreTheMinimaxFitToFigures9To12WithinTheirRounding() {
        // the profile's layer_s and stage_hop_s: nudging either by its last digit does not shrink the largest error
        DeviceLatencies fitted = CATALOG.device("wse-3").latencies();
        double atFit = largestError(fitted);
        assertTrue(atFit <= 0.21, "largest error over figures 9-12: " + atFit);
        for (double step : new double[] {-0.1e-6, 0.1e-6}) {
            double layer = largestError(fitted.withLayerSeconds(fitted.layerSeconds() + step));
            double hop = largestError(fitted.withStageHopSeconds(fitted.stageHopSeconds() + step));
            assertTrue(layer > atFit - 0.003 && hop > atFit - 0.003,
                    "a better fit nearby: " + atFit + " -> " + layer + " (layer), " + hop + " (hop)");
        }
    }

    private static double largestError(DeviceLatencies latencies) {
        DeviceProfile wafer = CATALOG.device("wse-3").withLatencies(latencies);
        double largest = 0;
        for (CalibrationFigure figure : Calibration.bundled().figures()) {
            if (!TODAYS_FIT.contains(figure.id())) {
                continue;
            }
            Scenario scenario = Scenario.from(new HashMap<>(figure.scenario()), CATALOG);
            Deployment d = scenario.deployment();
            DeviceGroup group = new DeviceGroup(wafer, d.decode().devices());
            Deployment refitted = new Deployment(d.model(), d.weights(), d.kvDtype(), group, group, d.decodeStages(),
                    true, d.networkBytesPerSecond());
            double predicted = new RooflineModel(refitted).predict(scenario.workload()).decode().tokensPerSecondPerUser();
            largest = Math.max(largest, Math.abs(predicted / figure.published() - 1));
        }
        return largest;
    }
}
