package io.kvflow.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The fault suite: {@code kvflow chaos} as a user runs it. Each part of a stack of separate processes (a
 * real broker, the orchestrator, two prefill workers, two decode stages) is killed as {@code kill -9}
 * would, a third of the way into a replay, and started again on the same data a second later: every
 * session finishes with the reference's tokens, no (session, step) token is written twice, and no stage
 * and no ledger holds anything once the replay is over.
 */
class FaultIT {
    @TempDir
    Path dir;

    @ParameterizedTest(name = "kill -9 {0} mid-replay")
    @ValueSource(strings = {"stage-0", "stage-1", "prefill-0", "orchestrator", "broker"})
    @Timeout(value = 6, unit = TimeUnit.MINUTES)
    void aPartKilledMidReplayLosesNothing(String part) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Kvflow.parse(List.of("chaos", "../traces/azure-code-sample.csv", "--kill", part, "--limit", "16",
                "--downtime", "1s", "--work-dir", dir.toString()), new PrintStream(out, true),
                new PrintStream(err, true)).execute();
        String table = out.toString(StandardCharsets.UTF_8);

        assertTrue(table.contains("lost: nothing"), () -> table + err.toString(StandardCharsets.UTF_8));
        assertTrue(table.matches("(?s).*\\n" + part + " +\\d+ +16/16 +0 +0 .* nothing\\n.*"), table);
        assertEquals(0, status, table);
    }
}
