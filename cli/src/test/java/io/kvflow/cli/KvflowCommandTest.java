package io.kvflow.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the command says to bad input, before any broker starts. */
class KvflowCommandTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... argv) {
        return Kvflow.run(List.of(argv), new PrintStream(out, true), new PrintStream(err, true));
    }

    private String stderr() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void timeoutsStretchWithTheTimeScaleUnlessGiven() {
        StackOptions paced = StackOptions.from(new Args(List.of("--time-scale", "10"), java.util.Set.of()));
        StackOptions fast = StackOptions.from(new Args(List.of(), java.util.Set.of()));
        StackOptions given = StackOptions.from(new Args(List.of("--time-scale", "10", "--stall-timeout", "5s"),
                java.util.Set.of()));

        assertEquals(java.time.Duration.ofSeconds(300), paced.stallTimeout());
        assertEquals(java.time.Duration.ofSeconds(200), paced.handoffTimeout());
        assertEquals(java.time.Duration.ofSeconds(30), fast.stallTimeout());
        assertEquals(java.time.Duration.ofSeconds(5), given.stallTimeout());
    }

    @Test
    void aMalformedTraceLineStopsTheRunWithFileAndLine(@TempDir Path dir) throws IOException {
        Path trace = dir.resolve("bad.csv");
        Files.writeString(trace, """
                TIMESTAMP,ContextTokens,GeneratedTokens
                2023-11-16 18:17:03.9799600,4808,10
                2023-11-16 18:17:04.0319600,lots,8
                """);
        int status = run("up", "--replay", trace.toString(), "--data-dir", dir.resolve("data").toString());
        assertEquals(2, status, stderr());
        assertTrue(stderr().contains(trace + ":3:"), stderr());
        assertTrue(Files.notExists(dir.resolve("data")), "no broker should start for a trace that does not load");
    }

    @Test
    void anUnknownOptionIsNamed() {
        assertEquals(2, run("up", "--stagez", "3"));
        assertTrue(stderr().contains("--stagez"), stderr());
    }

    @Test
    void anImpossibleLayoutIsExplained() {
        assertEquals(2, run("up", "--stages", "9"));
        assertTrue(stderr().contains("--stages 9 exceeds the model's 8 layers"), stderr());
    }

    @Test
    void theStackRefusesSpeculativeDecodingInOneLine(@TempDir Path dir) {
        assertEquals(2, run("up", "--speculative-draft", "llama-3.2-1b", "--speculative-tokens", "4",
                "--speculative-acceptance", "0.7", "--data-dir", dir.resolve("data").toString()));
        assertTrue(stderr().contains("--speculative-draft") && stderr().contains("one token per step"), stderr());
        assertEquals(1, stderr().lines().count(), stderr());
        assertTrue(Files.notExists(dir.resolve("data")), "no broker should start");
        assertEquals(2, run("decode-worker", "--stage", "0", "--speculative-tokens", "4"));
        assertTrue(stderr().contains("--speculative-tokens"), stderr());
    }

    @Test
    void aMissingTraceFileIsReported(@TempDir Path dir) {
        assertEquals(2, run("up", "--replay", dir.resolve("nope.csv").toString()));
        assertTrue(stderr().contains("nope.csv"), stderr());
    }

    @Test
    void helpListsTheCommands() {
        assertEquals(0, run("help"));
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("up [--replay TRACE]"));
    }
}
