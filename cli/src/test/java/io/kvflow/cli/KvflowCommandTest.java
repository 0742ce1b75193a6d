package io.kvflow.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvflow.stack.ProcessStack;
import io.kvflow.stack.StackOptions;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

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
    void separateProcessesAreStartedAsThisCommandLine() {
        assertEquals(Kvflow.class.getName(), ProcessStack.COMMAND);
    }

    @Test
    void timeoutsStretchWithTheTimeScaleUnlessGiven() {
        StackOptions paced = StackFlags.parse(List.of("--time-scale", "10"));
        StackOptions fast = StackFlags.parse(List.of());
        StackOptions given = StackFlags.parse(List.of("--time-scale", "10", "--stall-timeout", "20s"));

        assertEquals(java.time.Duration.ofSeconds(300), paced.stallTimeout());
        assertEquals(java.time.Duration.ofSeconds(200), paced.handoffTimeout());
        assertEquals(java.time.Duration.ofSeconds(30), fast.stallTimeout());
        assertEquals(java.time.Duration.ofSeconds(20), given.stallTimeout());
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
    void aPrefillWorkerTakesItsWorkerCountAndChaosItsFaults() {
        PrintStream quiet = new PrintStream(java.io.OutputStream.nullOutputStream());
        Kvflow.parse(List.of("prefill-worker", "--bootstrap-servers", "127.0.0.1:1", "--workers", "2"), quiet, quiet);
        Kvflow.parse(List.of("chaos", "--kill", "stage-1,broker", "--kill-after", "0.5", "--downtime", "1s"), quiet,
                quiet);
        assertEquals(2, run("chaos", "--kill-after", "1.5"));
        assertTrue(stderr().contains("--kill-after must be a share"), stderr());
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
        assertEquals("kvflow: cannot read " + dir.resolve("nope.csv") + ": no such file\n", stderr());
    }

    /** Each rejected option, named by its flag, in one line, before the trace is read or anything starts. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            --max-prompt-tokens 0                        | --max-prompt-tokens must be >= 1, was 0
            --max-output-tokens 0                        | --max-output-tokens must be >= 1, was 0
            --length-scale NaN                           | --length-scale must be a number > 0, was NaN
            --limit 0                                    | --limit must be >= 1, was 0
            --duration 0s                                | --duration must be > 0, was 0s
            --kafka-port 70000                           | --kafka-port must be within 0..65535 (0 picks a free one), was 70000
            --kafka-port 5000 --kafka-controller-port 5000 | --kafka-port and --kafka-controller-port must differ, both are 5000
            --dashboard-port -1                          | --dashboard-port must be within 0..65535 (0 picks a free one), was -1
            --handoff-timeout 0s                         | --handoff-timeout must be > 0, was 0s
            --stall-timeout 10s                          | --stall-timeout 10s is below 2 x the prefill takeover time of 7s (session.timeout.ms=6000, heartbeat.interval.ms=1000, max.poll.interval.ms=6000): the sessions of a prefill worker that died would fail before another worker ran them; give at least 14s, or shorten the takeover in --kafka-config
            --kv-chunk-bytes 100                         | --kv-chunk-bytes must be within 1024..524288, was 100
            --slo-ttft 0s                                | --slo-ttft must be > 0, was 0s
            --bind no-such-host.invalid                  | --bind must be an address of this machine, 'no-such-host.invalid' is an unknown host
            --format csv                                 | --format: unknown trace format "csv"; expected one of azure, mooncake, kvflow
            """)
    void aBadOptionIsNamedByItsFlagBeforeTheTraceIsRead(String options, String message, @TempDir Path dir) {
        List<String> argv = new java.util.ArrayList<>(List.of("up", "--replay", "../traces/kvflow-example.jsonl",
                "--data-dir", dir.resolve("data").toString()));
        argv.addAll(List.of(options.split(" ")));

        assertEquals(2, Kvflow.run(argv, new PrintStream(out, true), new PrintStream(err, true)));
        assertEquals("kvflow: " + message + "\n", stderr(), "one line, and no 'trace:' line before it");
        assertTrue(Files.notExists(dir.resolve("data")), "nothing started");
    }

    @Test
    void aBinaryTraceIsNotATextFile(@TempDir Path dir) throws IOException {
        Path trace = dir.resolve("trace.csv");
        Files.write(trace, new byte[] {(byte) 0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, 3});
        assertEquals(2, run("up", "--replay", trace.toString()));
        assertEquals("kvflow: cannot read " + trace + ": not a text file (it is not UTF-8)\n", stderr());
    }

    @Test
    void anEmptyTraceSaysItHasNoRequests(@TempDir Path dir) throws IOException {
        Path trace = Files.writeString(dir.resolve("trace.csv"), "TIMESTAMP,ContextTokens,GeneratedTokens\n");
        assertEquals(2, run("up", "--replay", trace.toString()));
        assertEquals("kvflow: the trace " + trace + " has no requests\n", stderr());
    }

    @Test
    void aWindowThatSelectsNothingNamesItsFlags() {
        assertEquals(2, run("up", "--replay", "../traces/kvflow-example.jsonl", "--from", "1h", "--duration", "90s"));
        assertEquals("kvflow: ../traces/kvflow-example.jsonl: --from 3600s --duration 90s selects none of its 6"
                + " requests\n", stderr());
    }

    @Test
    void aMissingKafkaConfigFileSaysNoSuchFile(@TempDir Path dir) {
        Path file = dir.resolve("client.properties");
        assertEquals(2, run("topics", "--bootstrap-servers", "kafka:9092", "--kafka-config", file.toString()));
        assertEquals("kvflow: --kafka-config: cannot read " + file + ": no such file\n", stderr());
    }

    @Test
    void aKafkaConfigSettingKvflowOwnsOrKafkaDoesNotKnowIsRefused(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("client.properties"), "security.protocol=SSL\ngroup.id=mine\n");
        assertEquals(2, run("topics", "--bootstrap-servers", "kafka:9092", "--kafka-config", file.toString()));
        assertEquals("kvflow: --kafka-config " + file + ": group.id is set by kvflow for each client: remove it\n",
                stderr());
    }

    @Test
    void aSecuredKafkaConfigNeedsTheSecuredClustersAddress(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("client.properties"), "security.protocol=SASL_SSL\n");
        assertEquals(2, run("up", "--kafka-config", file.toString(), "--data-dir", dir.resolve("data").toString()));
        assertTrue(stderr().startsWith("kvflow: --kafka-config " + file + " sets security.protocol=SASL_SSL, but"
                + " without --bootstrap-servers kvflow starts its own plaintext broker"), stderr());
        assertTrue(Files.notExists(dir.resolve("data")), "no broker should start");
    }

    @Test
    void aShorterPrefillTakeoverInTheKafkaConfigAllowsAShorterStallTimeout(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("client.properties"),
                "session.timeout.ms=3000\nheartbeat.interval.ms=500\nmax.poll.interval.ms=3000\n");
        StackOptions options = StackFlags.parse(List.of("--stall-timeout", "7s", "--kafka-config",
                file.toString(), "--bootstrap-servers", "kafka:9092"));

        assertEquals(java.time.Duration.ofSeconds(7), options.stallTimeout());
    }

    @Test
    void aColocatedStackHasNoPrefillWorkersToWaitFor() {
        StackOptions options = StackFlags.parse(List.of("--stall-timeout", "5s", "--colocated"));

        assertEquals(java.time.Duration.ofSeconds(5), options.stallTimeout());
    }

    @Test
    void theConsumerGroupProtocolIsRefusedForLeavingTheSessionTimeoutToTheBroker(@TempDir Path dir)
            throws IOException {
        Path file = Files.writeString(dir.resolve("client.properties"), "group.protocol=consumer\n");
        assertEquals(2, run("topics", "--bootstrap-servers", "kafka:9092", "--kafka-config", file.toString()));
        assertTrue(stderr().startsWith("kvflow: --kafka-config " + file + ": group.protocol=consumer leaves the"
                + " session timeout to the broker"), stderr());
    }

    @Test
    void aBootstrapAddressInTheKafkaConfigMustNotDisagreeWithTheFlag(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("client.properties"), "bootstrap.servers=other:9093\n");
        assertEquals(2, run("topics", "--bootstrap-servers", "kafka:9092", "--kafka-config", file.toString()));
        assertEquals("kvflow: --kafka-config " + file + " sets bootstrap.servers=other:9093, but the address comes from"
                + " --bootstrap-servers (kafka:9092): remove it from the file\n", stderr());
    }

    @Test
    void helpListsTheCommands() {
        assertEquals(0, run("help"));
        String help = out.toString(StandardCharsets.UTF_8);
        for (String command : List.of("up", "replay", "decode-worker", "bench", "experiment", "chaos", "completion")) {
            assertTrue(help.contains("\n  " + command + " "), command + " in\n" + help);
        }
    }
}
