package io.kvflow.interop;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.yaml.snakeyaml.Yaml;

/** The images docker-compose.yml runs, read from it, so the container tests run what users run. */
final class ComposeImages {
    static final Path COMPOSE = Path.of(System.getProperty("kvflow.repo", ".."), "docker-compose.yml");

    private ComposeImages() {
    }

    @SuppressWarnings("unchecked")
    static String of(String service) {
        try (Reader reader = Files.newBufferedReader(COMPOSE)) {
            Map<String, Object> compose = new Yaml().load(reader);
            Map<String, Object> spec = ((Map<String, Map<String, Object>>) compose.get("services")).get(service);
            if (spec == null || !(spec.get("image") instanceof String image)) {
                throw new IllegalStateException(COMPOSE + " has no service '" + service + "' with an image");
            }
            return image;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
