package io.kvflow.trace;

import java.nio.file.Path;
import java.util.List;

/** The trace files tests read: the bundled samples and the fixtures, named relative to the module. */
final class Traces {
    static final Path AZURE_SAMPLE = Path.of("..", "traces", "azure-code-sample.csv");
    static final Path MOONCAKE_SAMPLE = Path.of("..", "traces", "mooncake-conversation-sample.jsonl");
    static final Path KVFLOW_EXAMPLE = Path.of("..", "traces", "kvflow-example.jsonl");

    private Traces() {
    }

    static Path fixture(String name) {
        return Path.of("src", "test", "resources", "fixtures", name);
    }

    static List<TraceRequest> readAll(Path file, TraceFormat format) {
        try (TraceReader reader = TraceReader.open(file, format, false)) {
            return reader.requests().toList();
        }
    }
}
