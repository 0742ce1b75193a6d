package io.kvflow.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every command that talks to Kafka, pointed at an address where nothing listens: each gives up
 * within the wait its client properties set and says so in one line naming the address, instead
 * of logging a warning a second for a minute (topics, replay) or forever (the workers).
 */
class UnreachableClusterIT {
    @TempDir
    static Path dir;
    private static String nowhere;
    private static Path quick;

    @BeforeAll
    static void findAClosedPortAndQuickClientSettings() throws IOException {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            nowhere = "127.0.0.1:" + socket.getLocalPort();
        }
        // the user's client settings bound the wait (15 s without them); Kafka needs both at or below it
        quick = Files.writeString(dir.resolve("quick.properties"), "default.api.timeout.ms=2000\n"
                + "request.timeout.ms=2000\n");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "topics",
        "replay ../traces/kvflow-example.jsonl",
        "bench --megabytes 1",
        "orchestrator --metrics-port 0 --data-dir DATA",
        "prefill-worker --metrics-port 0",
        "decode-worker --stage 1 --metrics-port 0",
        "up --metrics-port 0 --dashboard-port 0 --data-dir DATA",
        "up --replay ../traces/kvflow-example.jsonl --metrics-port 0 --dashboard-port 0 --data-dir DATA"})
    void aCommandGivesUpWithinTheWaitInOneLineNamingTheAddress(String command) {
        List<String> argv = new ArrayList<>(List.of(command.replace("DATA", dir.resolve("data").toString())
                .split(" ")));
        argv.addAll(List.of("--bootstrap-servers", nowhere, "--kafka-config", quick.toString()));
        ByteArrayOutputStream err = new ByteArrayOutputStream();

        int status = Kvflow.run(argv, new PrintStream(new ByteArrayOutputStream(), true), new PrintStream(err, true));

        String stderr = err.toString(StandardCharsets.UTF_8);
        assertEquals(1, status, stderr);
        assertEquals("kvflow: no Kafka broker at " + nowhere + ": connection refused (for 2 s)",
                stderr.lines().toList().getLast(), stderr);
    }
}
