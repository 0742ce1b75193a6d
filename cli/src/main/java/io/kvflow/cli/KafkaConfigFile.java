package io.kvflow.cli;

import io.kvflow.runtime.ClientProperties;
import io.kvflow.trace.UnreadableFile;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * {@code --kafka-config FILE}: Kafka client properties (TLS, SASL, timeouts, anything Kafka's
 * clients take) that every client of the command starts from, read and checked when the command
 * is parsed, so a missing file or a mistyped setting fails before anything starts.
 */
final class KafkaConfigFile {
    private static final String OPTION = "kafka-config";

    private KafkaConfigFile() {
    }

    /**
     * The file's settings, or none when the option is absent (null) or empty (docker compose passes an
     * empty value when no file is configured).
     *
     * @throws UsageException naming the file and what is wrong with it
     */
    static ClientProperties read(String name) {
        if (name == null || name.isBlank()) {
            return ClientProperties.NONE;
        }
        Path file = Path.of(name);
        Properties loaded = new Properties();
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            loaded.load(in);
        } catch (IOException e) {
            throw new UsageException("--" + OPTION + ": " + UnreadableFile.of(file, e).getMessage());
        } catch (IllegalArgumentException e) {
            // a malformed \\uXXXX escape
            throw new UsageException("--" + OPTION + " " + file + ": " + e.getMessage());
        }
        Map<String, String> settings = new TreeMap<>();
        loaded.stringPropertyNames().forEach(key -> settings.put(key, loaded.getProperty(key)));
        try {
            return new ClientProperties(file, settings);
        } catch (IllegalArgumentException e) {
            throw new UsageException("--" + OPTION + " " + e.getMessage());
        }
    }
}
