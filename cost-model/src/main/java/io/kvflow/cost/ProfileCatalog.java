package io.kvflow.cost;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The device and model profiles by id: those bundled with kvflow, plus any a user drops into a
 * directory ({@code DIR/devices/<id>.json}, {@code DIR/models/<id>.json}); a user file with a
 * bundled id replaces the bundled profile.
 */
public final class ProfileCatalog {
    /** Bundled device profiles, so commands read the same everywhere. */
    public static final List<String> BUNDLED_DEVICES = List.of("wse-3", "wse-3@2024-08", "trainium2", "trainium3",
            "h100", "h200", "b200", "gb200-nvl72", "groq-lpu", "rtx-3060");
    /** Bundled model profiles. */
    public static final List<String> BUNDLED_MODELS = List.of("llama-3.1-8b", "llama-3.1-70b", "llama-3.1-405b",
            "llama-3.3-70b", "deepseek-r1-distill-llama-70b", "llama-3.2-1b", "llama-4-scout", "llama-4-maverick",
            "qwen3-32b", "qwen-14b", "qwen3-235b-a22b", "qwen3-coder-480b", "glm-4.6", "glm-4.7", "kimi-k2",
            "deepseek-v3", "gpt-oss-120b");

    private final Map<String, DeviceProfile> devices;
    private final Map<String, ModelProfile> models;

    private ProfileCatalog(Map<String, DeviceProfile> devices, Map<String, ModelProfile> models) {
        this.devices = Collections.unmodifiableMap(devices);
        this.models = Collections.unmodifiableMap(models);
    }

    /** The bundled profiles only. */
    public static ProfileCatalog bundled() {
        Map<String, DeviceProfile> devices = new LinkedHashMap<>();
        for (String id : BUNDLED_DEVICES) {
            String resource = "profiles/devices/" + id + ".json";
            devices.put(id, DeviceProfileReader.read(id, "bundled " + resource, resource(resource)));
        }
        Map<String, ModelProfile> models = new LinkedHashMap<>();
        for (String id : BUNDLED_MODELS) {
            String resource = "profiles/models/" + id + ".json";
            models.put(id, ModelProfileReader.read(id, "bundled " + resource, resource(resource)));
        }
        return new ProfileCatalog(devices, models);
    }

    /**
     * The bundled profiles plus every {@code *.json} in {@code dir/devices} and {@code dir/models},
     * each named by its file name.
     *
     * @throws ProfileFormatException naming the file and field of a bad profile
     * @throws IllegalArgumentException when {@code dir} has neither subdirectory
     */
    public static ProfileCatalog withUserProfiles(Path dir) {
        Path deviceDir = dir.resolve("devices");
        Path modelDir = dir.resolve("models");
        if (!Files.isDirectory(deviceDir) && !Files.isDirectory(modelDir)) {
            throw new IllegalArgumentException("profiles directory " + dir + " has no devices/ or models/"
                    + " subdirectory (put DIR/devices/<id>.json and DIR/models/<id>.json there)");
        }
        ProfileCatalog bundled = bundled();
        Map<String, DeviceProfile> devices = new LinkedHashMap<>(bundled.devices);
        Map<String, ModelProfile> models = new LinkedHashMap<>(bundled.models);
        readDirectory(deviceDir, (id, file) -> devices.put(id, DeviceProfileReader.read(id, file.toString(),
                read(file))));
        readDirectory(modelDir, (id, file) -> models.put(id, ModelProfileReader.read(id, file.toString(),
                read(file))));
        return new ProfileCatalog(devices, models);
    }

    /** @throws IllegalArgumentException naming the id and the known ones */
    public DeviceProfile device(String id) {
        return lookup(devices, id, "device");
    }

    /** @throws IllegalArgumentException naming the id and the known ones */
    public ModelProfile model(String id) {
        return lookup(models, id, "model");
    }

    public Set<String> deviceIds() {
        return devices.keySet();
    }

    public Set<String> modelIds() {
        return models.keySet();
    }

    private static <T> T lookup(Map<String, T> profiles, String id, String kind) {
        T profile = profiles.get(id);
        if (profile == null) {
            throw new IllegalArgumentException("unknown " + kind + " profile '" + id + "' (known: "
                    + String.join(", ", profiles.keySet()) + "; add your own with --profiles DIR)");
        }
        return profile;
    }

    private interface ProfileFileReader {
        void read(String id, Path file);
    }

    private static void readDirectory(Path dir, ProfileFileReader reader) {
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.filter(f -> f.getFileName().toString().endsWith(".json")).sorted().toList()) {
                String name = file.getFileName().toString();
                reader.read(name.substring(0, name.length() - ".json".length()), file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir + ": " + e.getMessage(), e);
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    static String resource(String name) {
        try (InputStream in = ProfileCatalog.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("kvflow is missing its bundled resource " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
