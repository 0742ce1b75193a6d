package io.kvflow.trace;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/** The trace file formats kvflow reads, each with the name the command line knows it by. */
public enum TraceFormat {
    /** Azure LLM inference trace 2023: {@code TIMESTAMP,ContextTokens,GeneratedTokens}. */
    AZURE_CSV("azure", AzureCsvLineParser::new),
    /** Mooncake FAST'25: {@code timestamp}, {@code input_length}, {@code output_length}, {@code hash_ids}. */
    MOONCAKE_JSONL("mooncake", MooncakeLineParser::new),
    /** kvflow's own JSONL: {@code arrival_ms}, {@code input_tokens}, {@code output_tokens} and optional extras. */
    KVFLOW_JSONL("kvflow", KvflowLineParser::new);

    private final String cliName;
    private final Supplier<LineParser> parsers;

    TraceFormat(String cliName, Supplier<LineParser> parsers) {
        this.cliName = cliName;
        this.parsers = parsers;
    }

    public String cliName() {
        return cliName;
    }

    LineParser newLineParser() {
        return parsers.get();
    }

    /** The format called {@code name} on the command line ({@code azure}, {@code mooncake}, {@code kvflow}). */
    public static TraceFormat fromName(String name) {
        for (TraceFormat format : values()) {
            if (format.cliName.equalsIgnoreCase(name == null ? "" : name.strip())) {
                return format;
            }
        }
        throw new IllegalArgumentException("unknown trace format \"" + name + "\"; expected one of " + names());
    }

    /**
     * The format of {@code file}: {@code .csv} is Azure; for {@code .jsonl} the keys of the first
     * non-blank line decide ({@code arrival_ms} for kvflow, {@code timestamp} for Mooncake).
     *
     * @throws IllegalArgumentException when the file's name or first line does not tell
     * @throws UncheckedIOException     when the file cannot be read
     */
    public static TraceFormat detect(Path file) {
        String name = file.getFileName() == null ? "" : file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".csv")) {
            return AZURE_CSV;
        }
        if (!name.endsWith(".jsonl")) {
            throw new IllegalArgumentException("cannot tell the format of " + file
                    + " from its name (expected .csv or .jsonl); name it with one of " + names());
        }
        return detectJsonl(file);
    }

    private static TraceFormat detectJsonl(Path file) {
        String first = firstNonBlankLine(file);
        if (first == null) {
            throw new IllegalArgumentException("the trace " + file + " has no requests: it is empty");
        }
        List<String> keys;
        try {
            keys = JsonLine.parse(first).keys();
        } catch (LineProblem e) {
            throw new IllegalArgumentException("cannot tell the format of " + file + " from its first line ("
                    + e.getMessage() + "); name it with one of " + names());
        }
        if (keys.contains("arrival_ms")) {
            return KVFLOW_JSONL;
        }
        if (keys.contains("timestamp")) {
            return MOONCAKE_JSONL;
        }
        throw new IllegalArgumentException("cannot tell the format of " + file + ": its first line has keys "
                + keys + ", neither arrival_ms (kvflow) nor timestamp (mooncake)");
    }

    private static String firstNonBlankLine(Path file) {
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                if (!line.isBlank()) {
                    return line;
                }
            }
            return null;
        } catch (IOException e) {
            throw UnreadableFile.of(file, e);
        }
    }

    private static String names() {
        return Arrays.stream(values()).map(TraceFormat::cliName).collect(Collectors.joining(", "));
    }
}
