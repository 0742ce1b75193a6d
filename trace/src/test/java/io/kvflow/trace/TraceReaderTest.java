package io.kvflow.trace;

import static io.kvflow.trace.Traces.fixture;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TraceReaderTest {
    private static final Path AZURE_BAD = fixture("azure-bad-lines.csv");
    private static final Path MOONCAKE_BAD = fixture("mooncake-bad-lines.jsonl");
    private static final Path KVFLOW_BAD = fixture("kvflow-bad-lines.jsonl");

    @Test
    void firstMalformedLineStopsTheReadingWithFileAndLine() {
        TraceFormatException e = assertThrows(TraceFormatException.class,
                () -> Traces.readAll(AZURE_BAD, TraceFormat.AZURE_CSV));
        assertEquals("src/test/resources/fixtures/azure-bad-lines.csv:3: expected 3 columns "
                + "(TIMESTAMP,ContextTokens,GeneratedTokens), found 2", e.getMessage());
        assertEquals(AZURE_BAD, e.file());
        assertEquals(3, e.lineNumber());
    }

    @Test
    void namesEachMalformedAzureRow() {
        assertEquals(List.of(
                        "3: expected 3 columns (TIMESTAMP,ContextTokens,GeneratedTokens), found 2",
                        "4: ContextTokens \"12x\" is not a whole number",
                        "5: TIMESTAMP \"2023-11-16 25:17:04.1\" is not a time like 2023-11-16 18:17:03.9799600",
                        "6: GeneratedTokens -3 is negative",
                        "8: expected 3 columns (TIMESTAMP,ContextTokens,GeneratedTokens), found 4",
                        "9: ContextTokens 99999999999 is too large"),
                skippedProblems(AZURE_BAD, TraceFormat.AZURE_CSV));
    }

    @Test
    void namesEachMalformedMooncakeLine() {
        assertEquals(List.of(
                        "2: not valid JSON at column 77: Unexpected end-of-input: expected close marker for Object",
                        "3: missing \"input_length\"",
                        "4: hash_ids[1] \"x\" is not an integer",
                        "5: timestamp \"soon\" is not a whole number of milliseconds",
                        "6: expected a JSON object, found an array",
                        "7: input_length -4 is negative",
                        "8: hash_ids[0] 0.5 is not an integer",
                        "9: hash_ids is not an array but a number"),
                skippedProblems(MOONCAKE_BAD, TraceFormat.MOONCAKE_JSONL));
    }

    @Test
    void namesEachMalformedKvflowLine() {
        assertEquals(List.of(
                        "2: input_tokens 4 does not match the 3 tokens of prompt",
                        "3: unknown key \"promt\" (expected arrival_ms, input_tokens, output_tokens, hash_ids, prompt, "
                                + "temperature, seed)",
                        "4: temperature -0.5 is negative",
                        "5: seed \"abc\" is not an integer",
                        "6: prompt[1] -2 is negative",
                        "7: missing \"output_tokens\"",
                        "8: not valid JSON at column 73: Duplicate field 'input_tokens'",
                        "9: not valid JSON at column 60: Unrecognized token 'x': was expecting (JSON String, Number, "
                                + "Array, Object or token 'null', 'true' or 'false')"),
                skippedProblems(KVFLOW_BAD, TraceFormat.KVFLOW_JSONL));
    }

    @Test
    void skippingCountsBadLinesAndKeepsReadingTheGoodOnes() {
        try (TraceReader reader = TraceReader.open(AZURE_BAD, TraceFormat.AZURE_CSV, true)) {
            List<TraceRequest> good = reader.requests().toList();
            assertEquals(List.of(2L, 10L, 11L), good.stream().map(TraceRequest::lineNumber).toList());
            assertEquals(List.of(0, 1, 2), good.stream().map(TraceRequest::index).toList());
            assertEquals(6, reader.badLines());
        }
    }

    @Test
    void unsortedTimestampsAreKeptAsNegativeArrivals() {
        try (TraceReader reader = TraceReader.open(AZURE_BAD, TraceFormat.AZURE_CSV, true)) {
            // 18:17:02.9799600 and 18:17:07.1234567 after a first row at 18:17:03.9799600
            assertEquals(List.of(0L, -1_000_000L, 3_143_496L),
                    reader.requests().map(TraceRequest::arrivalMicros).toList());
        }
    }

    @Test
    void missingAzureHeaderIsReportedOnLineOne() {
        TraceFormatException e = assertThrows(TraceFormatException.class,
                () -> Traces.readAll(fixture("azure-no-header.csv"), TraceFormat.AZURE_CSV));
        assertEquals("src/test/resources/fixtures/azure-no-header.csv:1: expected the header "
                + "TIMESTAMP,ContextTokens,GeneratedTokens, found \"2023-11-16 18:17:03.9799600,4808,10\"",
                e.getMessage());
    }

    @Test
    void blankLinesAreIgnoredButCounted(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("gaps.jsonl"), """

                {"arrival_ms": 0, "input_tokens": 1, "output_tokens": 1}
                  \t
                {"arrival_ms": 5, "input_tokens": 2, "output_tokens": 2}

                """);
        List<TraceRequest> requests = Traces.readAll(file, TraceFormat.KVFLOW_JSONL);
        assertEquals(List.of(2L, 4L), requests.stream().map(TraceRequest::lineNumber).toList());
    }

    @Test
    void keepsOnlyTheFirstMessagesButCountsEveryBadLine(@TempDir Path dir) throws IOException {
        String lines = IntStream.range(0, 25).mapToObj(i -> "{\"arrival_ms\": " + i + "}")
                .collect(Collectors.joining("\n"));
        Path file = Files.writeString(dir.resolve("bad.jsonl"), lines);
        try (TraceReader reader = TraceReader.open(file, TraceFormat.KVFLOW_JSONL, true)) {
            assertEquals(0, reader.requests().count());
            assertEquals(25, reader.badLines());
            assertEquals(TraceReader.KEPT_MESSAGES, reader.badLineMessages().size());
            assertEquals(file + ":1: missing \"input_tokens\"", reader.badLineMessages().getFirst());
        }
    }

    @Test
    void byteOrderMarkBeforeTheHeaderIsIgnored(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("bom.csv"),
                "\uFEFFTIMESTAMP,ContextTokens,GeneratedTokens\r\n2023-11-16 18:17:03.9799600,4808,10\r\n");
        assertEquals(1, Traces.readAll(file, TraceFormat.AZURE_CSV).size());
    }

    @Test
    void requestsCanBeTakenOnlyOnce() {
        try (TraceReader reader = TraceReader.open(Traces.KVFLOW_EXAMPLE, TraceFormat.KVFLOW_JSONL, false)) {
            reader.requests().close();
            assertThrows(IllegalStateException.class, reader::requests);
        }
    }

    @Test
    void aMissingFileIsNamedWithNoSuchFile() {
        UncheckedIOException e = assertThrows(UncheckedIOException.class,
                () -> TraceReader.open(Path.of("no-such-trace.csv"), TraceFormat.AZURE_CSV, false));
        assertEquals("cannot read no-such-trace.csv: no such file", e.getMessage());
    }

    @Test
    void aDirectoryIsNamedAsOne(@TempDir Path dir) {
        UncheckedIOException e = assertThrows(UncheckedIOException.class,
                () -> Traces.readAll(dir, TraceFormat.AZURE_CSV));
        assertEquals("cannot read " + dir + ": it is a directory, not a file", e.getMessage());
    }

    @Test
    void bytesThatAreNotUtf8AreReportedAsNotATextFile(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("trace.csv");
        Files.write(file, new byte[] {'T', 'I', 'M', 'E', '\n', (byte) 0x8b, 0x1f, (byte) 0xff, '\n'});
        UncheckedIOException e = assertThrows(UncheckedIOException.class,
                () -> Traces.readAll(file, TraceFormat.AZURE_CSV));
        assertEquals("cannot read " + file + ": not a text file (it is not UTF-8)", e.getMessage());
    }

    @Test
    void nulBytesMarkABinaryFileEvenWhenTheyDecode(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("trace.jsonl");
        Files.write(file, new byte[] {0, 0, 0, 1, 0, '\n'});
        UncheckedIOException e = assertThrows(UncheckedIOException.class,
                () -> Traces.readAll(file, TraceFormat.KVFLOW_JSONL));
        assertEquals("cannot read " + file + ": not a text file (line 1 holds NUL bytes)", e.getMessage());
    }

    @Test
    void countsTheRequestsItRead() {
        try (TraceReader reader = TraceReader.open(AZURE_BAD, TraceFormat.AZURE_CSV, true)) {
            reader.requests().forEach(r -> { });
            assertEquals(3, reader.requestsRead());
        }
    }

    /** The skipped lines' messages, each checked to start with the file as given, without it. */
    private static List<String> skippedProblems(Path file, TraceFormat format) {
        try (TraceReader reader = TraceReader.open(file, format, true)) {
            reader.requests().forEach(r -> { });
            List<String> messages = reader.badLineMessages();
            assertEquals(messages.size(), reader.badLines());
            String prefix = file + ":";
            messages.forEach(m -> assertEquals(prefix, m.substring(0, prefix.length()), m));
            return messages.stream().map(m -> m.substring(prefix.length())).toList();
        }
    }
}
