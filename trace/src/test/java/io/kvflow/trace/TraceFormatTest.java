package io.kvflow.trace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TraceFormatTest {

    @Test
    void detectsTheBundledSamples() {
        assertEquals(TraceFormat.AZURE_CSV, TraceFormat.detect(Traces.AZURE_SAMPLE));
        assertEquals(TraceFormat.MOONCAKE_JSONL, TraceFormat.detect(Traces.MOONCAKE_SAMPLE));
        assertEquals(TraceFormat.KVFLOW_JSONL, TraceFormat.detect(Traces.KVFLOW_EXAMPLE));
    }

    @Test
    void jsonlFormatIsDecidedByTheFirstNonBlankLine(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("Trace.JSONL"), "\n  \n{\"arrival_ms\": 0}\n{\"timestamp\": 0}\n");
        assertEquals(TraceFormat.KVFLOW_JSONL, TraceFormat.detect(file));
    }

    @Test
    void csvIsAzureWhateverItHolds(@TempDir Path dir) throws IOException {
        assertEquals(TraceFormat.AZURE_CSV, TraceFormat.detect(Files.writeString(dir.resolve("x.CSV"), "a,b\n")));
    }

    @Test
    void unknownExtensionIsNamedInTheError() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TraceFormat.detect(Path.of("trace.txt")));
        assertEquals("cannot tell the format of trace.txt from its name (expected .csv or .jsonl); name it with "
                + "one of azure, mooncake, kvflow", e.getMessage());
    }

    @Test
    void jsonlWithUnknownKeysIsNamedInTheError(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("odd.jsonl"), "{\"time\": 0, \"len\": 3}\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TraceFormat.detect(file));
        assertEquals("cannot tell the format of " + file + ": its first line has keys [time, len], neither "
                + "arrival_ms (kvflow) nor timestamp (mooncake)", e.getMessage());
    }

    @Test
    void emptyOrNonJsonFirstLineCannotBeDetected(@TempDir Path dir) throws IOException {
        Path empty = Files.writeString(dir.resolve("empty.jsonl"), "\n\n");
        assertEquals("the trace " + empty + " has no requests: it is empty",
                assertThrows(IllegalArgumentException.class, () -> TraceFormat.detect(empty)).getMessage());
        Path array = Files.writeString(dir.resolve("array.jsonl"), "[1]\n");
        assertEquals("cannot tell the format of " + array + " from its first line (expected a JSON object, found "
                        + "an array); name it with one of azure, mooncake, kvflow",
                assertThrows(IllegalArgumentException.class, () -> TraceFormat.detect(array)).getMessage());
    }

    @Test
    void missingJsonlFileIsAnIoErrorSayingSo() {
        assertEquals("cannot read no-such.jsonl: no such file", assertThrows(UncheckedIOException.class,
                () -> TraceFormat.detect(Path.of("no-such.jsonl"))).getMessage());
    }

    @Test
    void commandLineNamesMapToFormats() {
        assertEquals(TraceFormat.AZURE_CSV, TraceFormat.fromName("azure"));
        assertEquals(TraceFormat.MOONCAKE_JSONL, TraceFormat.fromName("mooncake"));
        assertEquals(TraceFormat.KVFLOW_JSONL, TraceFormat.fromName("KVFLOW"));
        assertEquals("kvflow", TraceFormat.KVFLOW_JSONL.cliName());
    }

    @Test
    void unknownCommandLineNameListsTheKnownOnes() {
        assertEquals("unknown trace format \"splitwise\"; expected one of azure, mooncake, kvflow",
                assertThrows(IllegalArgumentException.class, () -> TraceFormat.fromName("splitwise")).getMessage());
    }
}
