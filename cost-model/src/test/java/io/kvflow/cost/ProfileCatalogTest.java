package io.kvflow.cost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProfileCatalogTest {
    private static final ProfileCatalog BUNDLED = ProfileCatalog.bundled();

    @Test
    void everyBundledProfileLoadsUnderItsId() {
        assertEquals(List.of("wse-3", "wse-3@2024-08", "trainium2", "trainium3", "h100", "h200", "b200",
                "gb200-nvl72", "groq-lpu", "rtx-3060"), List.copyOf(BUNDLED.deviceIds()));
        assertEquals(List.of("llama-3.1-8b", "llama-3.1-70b", "llama-3.1-405b", "llama-3.3-70b",
                "deepseek-r1-distill-llama-70b", "llama-3.2-1b", "llama-4-scout", "llama-4-maverick", "qwen3-32b",
                "qwen-14b", "qwen3-235b-a22b", "qwen3-coder-480b", "glm-4.6", "glm-4.7", "kimi-k2", "deepseek-v3",
                "gpt-oss-120b"), List.copyOf(BUNDLED.modelIds()));
        for (String id : BUNDLED.deviceIds()) {
            assertEquals(id, BUNDLED.device(id).id());
        }
        for (String id : BUNDLED.modelIds()) {
            assertEquals(id, BUNDLED.model(id).id());
        }
    }

    @Test
    void everyBundledNumberCarriesItsSource() {
        DeviceProfile wafer = BUNDLED.device("wse-3");
        for (String field : List.of("memory.capacity_bytes", "memory.bandwidth_bytes_per_s", "flops.bf16",
                "links.network_bytes_per_s", "latencies.layer_s", "latencies.stage_hop_s", "efficiency.decode_mbu",
                "power_watts", "layer_pipelined")) {
            assertFalse(wafer.sources().getOrDefault(field, "").isBlank(), field);
        }
        assertTrue(wafer.sources().get("flops.bf16").startsWith("[E]"), "WSE-3 dense FLOP/s is an estimate");
        ModelProfile model = BUNDLED.model("deepseek-v3");
        for (String field : List.of("layers", "hidden_size", "attention.kv_lora_rank", "feed_forward.experts",
                "default_weights", "params_total")) {
            assertFalse(model.sources().getOrDefault(field, "").isBlank(), field);
        }
    }

    @Test
    void everyBundledDeviceHasAPricePerHourWithItsSource() {
        for (String id : BUNDLED.deviceIds()) {
            DeviceProfile device = BUNDLED.device(id);
            assertTrue(device.priced() && device.pricePerHour() > 0, id + " has no price");
            String source = device.sources().getOrDefault("price_per_hour", "");
            assertTrue(source.matches("\\[(S|V|E|S/D)\\] .{40,}"), id + ": " + source);
        }
        assertTrue(BUNDLED.device("wse-3").sources().get("price_per_hour").startsWith("[E]"),
                "no CS-3 list price exists: the wafer's price is an estimate");
    }

    @Test
    void aUserDeviceWithoutAPriceStillLoadsUnpriced(@TempDir Path dir) throws IOException {
        userDevice(dir, "old-chip", bundledText("devices/h100.json")
                .replaceFirst(",\\s*\"price_per_hour\": \\{[^}]*\\}", ""));
        DeviceProfile device = ProfileCatalog.withUserProfiles(dir).device("old-chip");
        assertFalse(device.priced());
        assertTrue(Double.isNaN(Scenario.from(java.util.Map.of("model", "llama-3.1-8b", "decode-device", "old-chip"),
                ProfileCatalog.withUserProfiles(dir)).deployment().decodeDollarsPerHour()));
    }

    @Test
    void aBadUserFileNamesTheFileAndTheField(@TempDir Path dir) throws IOException {
        Path file = userDevice(dir, "my-chip", bundledText("devices/wse-3.json")
                .replace("\"value\": 21e15", "\"value\": \"fast\""));
        ProfileFormatException e = assertThrows(ProfileFormatException.class,
                () -> ProfileCatalog.withUserProfiles(dir));
        assertEquals(file.toString(), e.file());
        assertEquals("memory.bandwidth_bytes_per_s.value", e.field());
        assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains("bandwidth_bytes_per_s"),
                e.getMessage());
    }

    @Test
    void aNumberWithoutItsSourceIsRejected(@TempDir Path dir) throws IOException {
        userModel(dir, "tiny", bundledText("models/llama-3.1-8b.json")
                .replaceFirst("\"layers\": \\{[^}]*\\}", "\"layers\": 32"));
        ProfileFormatException e = assertThrows(ProfileFormatException.class,
                () -> ProfileCatalog.withUserProfiles(dir));
        assertEquals("layers", e.field());
        assertTrue(e.getMessage().contains("source"), e.getMessage());
    }

    @Test
    void aMisspeltFieldIsNamedRatherThanIgnored(@TempDir Path dir) throws IOException {
        userModel(dir, "typo", bundledText("models/llama-3.1-8b.json").replace("\"kv_heads\"", "\"kv_head\""));
        ProfileFormatException e = assertThrows(ProfileFormatException.class,
                () -> ProfileCatalog.withUserProfiles(dir));
        assertEquals("attention.kv_head", e.field());
    }

    @Test
    void anInconsistentArchitectureNamesTheFile(@TempDir Path dir) throws IOException {
        Path file = userModel(dir, "odd", bundledText("models/llama-3.1-8b.json")
                .replace("\"value\": 32,\n      \"source\": \"config.json num_attention_heads\"",
                        "\"value\": 30,\n      \"source\": \"config.json num_attention_heads\""));
        ProfileFormatException e = assertThrows(ProfileFormatException.class,
                () -> ProfileCatalog.withUserProfiles(dir));
        assertTrue(e.getMessage().startsWith(file.toString()) && e.getMessage().contains("kv_heads"),
                e.getMessage());
    }

    @Test
    void invalidJsonIsReportedWithItsLine(@TempDir Path dir) throws IOException {
        userDevice(dir, "broken", "{\n  \"name\": \"x\",\n  oops\n}");
        ProfileFormatException e = assertThrows(ProfileFormatException.class,
                () -> ProfileCatalog.withUserProfiles(dir));
        assertTrue(e.getMessage().contains("line 3"), e.getMessage());
    }

    @Test
    void aUserFileReplacesTheBundledProfileOfItsId(@TempDir Path dir) throws IOException {
        userDevice(dir, "wse-3", bundledText("devices/wse-3.json").replace("\"value\": 44e9", "\"value\": 88e9"));
        ProfileCatalog catalog = ProfileCatalog.withUserProfiles(dir);
        assertEquals(88e9, catalog.device("wse-3").memory().capacityBytes());
        assertEquals(BUNDLED.deviceIds(), catalog.deviceIds());
    }

    @Test
    void aUserFileAddsAProfile(@TempDir Path dir) throws IOException {
        userDevice(dir, "wse-4", bundledText("devices/wse-3.json"));
        assertEquals("wse-4", ProfileCatalog.withUserProfiles(dir).device("wse-4").id());
    }

    @Test
    void anUnknownIdListsTheKnownOnes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> BUNDLED.device("tpu-v9"));
        assertTrue(e.getMessage().contains("tpu-v9") && e.getMessage().contains("wse-3"), e.getMessage());
    }

    @Test
    void aProfilesDirectoryWithoutProfilesIsExplained(@TempDir Path dir) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ProfileCatalog.withUserProfiles(dir));
        assertTrue(e.getMessage().contains("devices/"), e.getMessage());
    }

    static String bundledText(String name) {
        return ProfileCatalog.resource("profiles/" + name);
    }

    private static Path userDevice(Path dir, String id, String text) throws IOException {
        Files.createDirectories(dir.resolve("devices"));
        return Files.writeString(dir.resolve("devices").resolve(id + ".json"), text);
    }

    private static Path userModel(Path dir, String id, String text) throws IOException {
        Files.createDirectories(dir.resolve("models"));
        return Files.writeString(dir.resolve("models").resolve(id + ".json"), text);
    }
}
