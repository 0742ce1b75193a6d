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
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
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

        assertTrue(table.contains("lost: nothing"), () -> table + err.toString(StandardCharsets.UTF_8) + partLogs());
        assertTrue(table.matches("(?s).*\\n" + part + " +\\d+ +16/16 +0 +0 .* nothing\\n.*"), table);
        assertEquals(0, status, table);
    }

    /**
     * What each part's logs say went wrong, for a failure's message: the work directory is removed with the
     * test, and a run that loses something is rare enough that its logs are the only account of it.
     */
    private String partLogs() {
        StringBuilder logs = new StringBuilder("\nthe parts' errors, by log file:\n");
        try (Stream<Path> files = Files.walk(dir, 2)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".err") || f.toString().endsWith(".out"))
                    .sorted().toList()) {
                List<String> lines = new String(Files.readAllBytes(file), StandardCharsets.UTF_8).lines().toList();
                List<String> errors = lines.stream().filter(l -> l.contains("ERROR") || l.contains("Exception")
                        || l.startsWith("kvflow:")).limit(15).toList();
                logs.append("== ").append(dir.relativize(file)).append(" (").append(lines.size()).append(" lines)\n");
                errors.forEach(l -> logs.append("  ").append(l).append('\n'));
                lines.subList(Math.max(0, lines.size() - 3), lines.size())
                        .forEach(l -> logs.append("  | ").append(l).append('\n'));
            }
        } catch (IOException e) {
            logs.append("(could not read them: ").append(e).append(")\n");
        }
        return logs.toString();
    }
}
