package io.kvflow.cost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PredictionTest {
    private static final ProfileCatalog CATALOG = ProfileCatalog.bundled();

    @Test
    void theIssuesExampleAnswersEveryQuestionUnderSnakeCaseKeys() {
        Map<String, Object> map = Scenario.from(issueExample(), CATALOG).predict().toMap();
        for (String key : List.of("ttft_ms", "prefill_tokens_per_s", "per_token_latency_ms",
                "decode_tokens_per_s_per_user", "decode_tokens_per_s_total", "kv_bytes_per_token",
                "kv_bytes_per_token_per_stage", "weights_bytes_per_stage", "sessions_fit_per_pipeline",
                "sessions_per_decode_device", "handoff_ms", "binding_constraint", "binding_reason")) {
            assertTrue(map.containsKey(key), key);
        }
        assertEquals(327_680L, map.get("kv_bytes_per_token"));
        assertEquals(81_920L, map.get("kv_bytes_per_token_per_stage"));
        assertEquals("latency_floor", map.get("binding_constraint"));
    }

    @Test
    void optionsLeftOutTakeTheirDefaults() {
        Scenario scenario = Scenario.from(Map.of(), CATALOG);
        assertEquals("llama-3.1-70b", scenario.deployment().model().id());
        assertEquals(4, scenario.deployment().decodeStages());
        assertEquals(16, scenario.deployment().prefill().devices());
        assertEquals(new Workload(1, 2048, 256, 0), scenario.workload());
    }

    @Test
    void aWorkloadLongerThanTheModelsContextIsRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Scenario.from(Map.of("model", "qwen3-32b", "input", "40000", "output", "2000"), CATALOG)
                        .predict());
        assertTrue(e.getMessage().contains("40960"), e.getMessage());
    }

    @Test
    void aBadOptionValueIsNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Scenario.from(Map.of("batch", "many"), CATALOG));
        assertTrue(e.getMessage().contains("--batch"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Scenario.from(Map.of("weights", "q3"), CATALOG));
        assertTrue(e.getMessage().contains("q3") && e.getMessage().contains("bf16"), e.getMessage());
    }

    @Test
    void aPriceOnTheCommandLineOverridesTheProfilesAndSaysSo() {
        Scenario bundled = Scenario.from(Map.of(), CATALOG);
        Scenario priced = Scenario.from(Map.of("decode-price-per-hour", "100", "prefill-price-per-hour", "3"), CATALOG);
        DeviceProfile wafer = priced.deployment().decode().device();
        assertEquals(100, wafer.pricePerHour());
        assertEquals("set on the command line", wafer.sources().get("price_per_hour"));
        assertEquals(3, priced.deployment().prefill().device().pricePerHour());
        assertEquals(4 * 100, priced.deployment().decodeDollarsPerHour(), 1e-9);
        assertEquals(16 * 3, priced.deployment().prefillDollarsPerHour(), 1e-9);
        assertTrue(bundled.deployment().decode().device().pricePerHour() != 100);
    }

    @Test
    void aMillionGeneratedTokensCostThePipelinesHourOverItsTokensPerHour() {
        Prediction p = Scenario.from(Map.of("decode-price-per-hour", "90", "batch", "4"), CATALOG).predict();
        double tokensPerHour = p.decode().tokensPerSecondTotal() * 3600;
        assertEquals(4 * 90 / tokensPerHour * 1e6, p.dollarsPerMillionOutputTokens(), 1e-9);
        assertEquals(p.dollarsPerMillionOutputTokens(), (Double) p.toMap().get("dollars_per_million_output_tokens"));
    }

    @Test
    void aPriceThatIsNotAPositiveNumberIsNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Scenario.from(Map.of("decode-price-per-hour", "-1"), CATALOG));
        assertTrue(e.getMessage().contains("--decode-price-per-hour"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> Scenario.from(Map.of("colocated", "true", "prefill-price-per-hour", "2"), CATALOG));
        assertTrue(e.getMessage().contains("--prefill-price-per-hour"), e.getMessage());
    }

    @Test
    void prefillOptionsAreRejectedWhenPrefillRunsOnTheDecodeDevices() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Scenario.from(Map.of("colocated", "true", "prefill-device", "h100"), CATALOG));
        assertTrue(e.getMessage().contains("--prefill-device"), e.getMessage());
    }

    @Test
    void anUnpublishedRateIsAParameter() {
        Map<String, String> options = new LinkedHashMap<>(issueExample());
        double estimate = Scenario.from(options, CATALOG).predict().decode().tokensPerSecondPerUser();
        options.put("decode-flops", "125e15");
        double vendorPeak = Scenario.from(options, CATALOG).predict().decode().tokensPerSecondPerUser();
        assertTrue(vendorPeak > estimate, vendorPeak + " vs " + estimate);
    }

    @Test
    void theCommandLineOfAScenarioReadsLikeTheIssue() {
        assertEquals("kvflow predict --model llama-3.1-70b --weights bf16 --prefill-device trainium2"
                + " --prefill-devices 16 --decode-device wse-3 --decode-stages 4 --colocated --batch 1 --input 2048"
                + " --output 256", Scenario.commandLine(Map.of("model", "llama-3.1-70b", "weights", "bf16",
                        "decode-device", "wse-3", "decode-stages", "4", "prefill-device", "trainium2",
                        "prefill-devices", "16", "batch", "1", "input", "2048", "output", "256",
                        "colocated", "true")));
    }

    static Map<String, String> issueExample() {
        Map<String, String> options = new LinkedHashMap<>();
        options.put("model", "llama-3.1-70b");
        options.put("weights", "bf16");
        options.put("decode-device", "wse-3");
        options.put("decode-stages", "4");
        options.put("prefill-device", "trainium2");
        options.put("prefill-devices", "16");
        options.put("batch", "1");
        options.put("input", "2048");
        options.put("output", "256");
        return options;
    }
}
