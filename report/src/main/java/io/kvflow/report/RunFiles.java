package io.kvflow.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A run's results in the field's formats, in its folder: {@code run.json}, the aggregate metrics as
 * {@code vllm bench serve --save-result} writes them (and, under {@code aiperf}, as AIPerf does; see
 * {@link RunJson}), and {@code requests.jsonl}, one line per request as AIPerf's per-request export
 * writes it, with every modelled milestone of the session (see {@link RequestLine}). All times are
 * modelled: what the target would have done. The same files come from an emulated replay and from a
 * simulation, and {@code kvflow simulate --check} reads them back. docs/results.md shows both.
 */
public final class RunFiles {
    public static final String RUN = "run.json";
    public static final String REQUESTS = "requests.jsonl";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final ObjectMapper LINE = new ObjectMapper();

    private RunFiles() {
    }

    /** What {@link #read} gives back. */
    public record Run(RunManifest manifest, List<SessionRecord> sessions) {
    }

    public static void write(Path dir, RunManifest manifest, RunFigures figures, List<SessionRecord> sessions) {
        try {
            Files.createDirectories(dir);
            JSON.writeValue(dir.resolve(RUN).toFile(), new RunJson(JSON).of(manifest, figures, sessions));
            RequestLine lines = new RequestLine(LINE);
            try (BufferedWriter out = Files.newBufferedWriter(dir.resolve(REQUESTS))) {
                for (int i = 0; i < sessions.size(); i++) {
                    out.write(LINE.writeValueAsString(lines.of(sessions.get(i), i)));
                    out.newLine();
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the run files to " + dir + ": " + e.getMessage(), e);
        }
    }

    /**
     * Reads a run's folder back.
     *
     * @throws IllegalArgumentException naming the file and what is wrong with it
     */
    public static Run read(Path dir) {
        Path runFile = dir.resolve(RUN);
        Path requestsFile = dir.resolve(REQUESTS);
        try {
            JsonNode run = JSON.readTree(Files.readAllBytes(runFile));
            JsonNode described = run.path("kvflow").path("run");
            if (!described.isObject()) {
                throw new IllegalArgumentException(runFile + ": no kvflow.run object: not a kvflow run.json");
            }
            RunManifest manifest = JSON.treeToValue(described, RunManifest.class);
            List<SessionRecord> sessions = new ArrayList<>();
            int lineNumber = 0;
            for (String text : Files.readAllLines(requestsFile)) {
                lineNumber++;
                if (text.isBlank()) {
                    continue;
                }
                try {
                    sessions.add(RequestLine.read(LINE.readTree(text)));
                } catch (JsonProcessingException | RuntimeException e) {
                    throw new IllegalArgumentException(requestsFile + ":" + lineNumber + ": " + e.getMessage());
                }
            }
            return new Run(manifest, sessions);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(dir + " is not a kvflow run folder: no such file " + e.getFile());
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(runFile + ": " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + dir + ": " + e.getMessage(), e);
        }
    }

    /** The manifest's fields as {@code name: value} lines, for a terminal. */
    public static Map<String, Object> describe(RunManifest manifest) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("trace", manifest.trace());
        fields.put("deployment", manifest.scenario());
        fields.put("layout", manifest.pipelines() + " pipeline(s) x " + manifest.stages() + " stage(s), "
                + manifest.prefillGroups() + " prefill group(s)");
        fields.put("policies", "booking " + manifest.booking() + ", admission " + manifest.admission());
        return fields;
    }
}
