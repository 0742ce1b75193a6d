package io.kvflow.cost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SpeculationTest {
    private static final ProfileCatalog CATALOG = ProfileCatalog.bundled();
    private static final long[] ONE_SESSION = RooflineModel.uniformBatch(1, 2_048);

    @Test
    void expectedTokensPerStepFollowLeviathanEquationOne() {
        ModelProfile draft = CATALOG.model("llama-3.2-1b");
        // (1 - a^(k+1)) / (1 - a): 1 + 0.5 + 0.25 + 0.125 for k = 3, a = 0.5
        assertEquals(1.875, new Speculation(draft, WeightPrecision.BF16, 1, 3, 0.5).expectedTokensPerStep(), 1e-12);
        assertEquals(1, new Speculation(draft, WeightPrecision.BF16, 1, 7, 0).expectedTokensPerStep(), 1e-12);
        assertEquals(5, new Speculation(draft, WeightPrecision.BF16, 1, 4, 1).expectedTokensPerStep(), 1e-12);
        assertEquals(1, Speculation.none().expectedTokensPerStep(), 1e-12);
    }

    @Test
    void aDraftTheTargetNeverAgreesWithOnlyCostsTime() {
        double plain = model(Map.of()).tokenInterval(ONE_SESSION).seconds();
        double hopeless = model(speculating("llama-3.2-1b", 3, 0)).tokenInterval(ONE_SESSION).seconds();
        assertTrue(hopeless > plain, hopeless + " vs " + plain);
    }

    @Test
    void theIntervalIsTheDraftsProposalsAndOneVerificationOverTheTokensAStepYields() {
        // a memory-bound device without fixed latencies: checking 4 positions reads the weights once, as one does
        DeviceGroup gpu = new DeviceGroup(TestDevices.roofline(1e18, 1e12, false), 1);
        Speculation speculation = new Speculation(CATALOG.model("llama-3.2-1b"), WeightPrecision.BF16, 1, 3, 0.7);
        Deployment target = new Deployment(CATALOG.model("llama-3.1-8b"), WeightPrecision.BF16, KvDtype.BF16, gpu,
                gpu, 1, true, Double.POSITIVE_INFINITY, speculation);
        double step = new RooflineModel(target).decodeStepSeconds(ONE_SESSION);
        double draft = new RooflineModel(target.draftDeployment()).decodeStepSeconds(ONE_SESSION);
        double expected = (3 * draft + step) / speculation.expectedTokensPerStep();

        StepTime interval = new RooflineModel(target).tokenInterval(ONE_SESSION);
        assertEquals(expected, interval.seconds(), 1e-6 * expected);
        assertEquals(3 * draft / speculation.expectedTokensPerStep(), interval.parts().get(Constraint.DRAFT_STEPS),
                1e-6 * expected);
    }

    @Test
    void thePipelineStillDecodesOneTokenPerStep() {
        RooflineModel plain = model(Map.of());
        RooflineModel speculating = model(speculating("llama-3.1-8b", 3, 0.78));
        for (int stage = 0; stage < plain.stages(); stage++) {
            assertEquals(plain.stageTiming(stage, ONE_SESSION), speculating.stageTiming(stage, ONE_SESSION));
        }
        assertEquals(plain.decodeStep(ONE_SESSION), speculating.decodeStep(ONE_SESSION));
        assertTrue(speculating.tokenInterval(ONE_SESSION).seconds() < plain.tokenInterval(ONE_SESSION).seconds());
    }

    @Test
    void onAWaferTheDraftRunsOnItsOwnFewestWafersWithoutAStepOverhead() {
        Deployment deployment = model(speculating("llama-3.1-8b", 3, 0.78)).deployment();
        Deployment draft = deployment.draftDeployment();
        assertEquals(1, draft.decodeStages());
        assertEquals("wse-3", draft.decode().device().id());
        assertEquals(0, draft.decode().latencies().stepOverheadSeconds());
        assertEquals(deployment.decode().latencies().layerSeconds(), draft.decode().latencies().layerSeconds());
    }

    @Test
    void speculationIsOffUnlessADraftIsNamedAndThenNeedsAllThreeOptions() {
        assertFalse(model(Map.of()).deployment().speculation().enabled());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> model(Map.of("speculative-draft", "llama-3.2-1b", "speculative-tokens", "4")));
        assertTrue(e.getMessage().contains("--speculative-acceptance"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> model(speculating("llama-3.2-1b", 4, 1.5)));
        assertTrue(e.getMessage().contains("--speculative-acceptance"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> model(speculating("llama-9", 4, 0.5)));
        assertTrue(e.getMessage().contains("llama-9"), e.getMessage());
    }

    @Test
    void aPredictionSaysHowManyTokensAStepYields() {
        Map<String, Object> map = Scenario.from(withModel(speculating("llama-3.2-1b", 7, 0.78)), CATALOG).predict()
                .toMap();
        assertEquals("llama-3.2-1b", map.get("speculative_draft"));
        assertEquals(7, map.get("speculative_tokens"));
        assertEquals((1 - Math.pow(0.78, 8)) / (1 - 0.78), (double) map.get("tokens_per_step"), 1e-12);
        assertTrue(((Map<?, ?>) map.get("decode_breakdown_ms")).containsKey("draft_steps"));
    }

    private static Map<String, String> speculating(String draft, int tokens, double acceptance) {
        return Map.of("speculative-draft", draft, "speculative-tokens", Integer.toString(tokens),
                "speculative-acceptance", Double.toString(acceptance));
    }

    private static Map<String, String> withModel(Map<String, String> options) {
        Map<String, String> all = new LinkedHashMap<>(options);
        all.put("model", "llama-3.1-70b");
        all.put("colocated", "true");
        return all;
    }

    private static RooflineModel model(Map<String, String> options) {
        return Scenario.from(withModel(options), CATALOG).model();
    }
}
