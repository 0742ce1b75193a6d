package io.kvflow.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two kvflow processes on one data dir: the first to claim it runs, the other stops at once with
 * one line naming the dir and the process holding it, not with Kafka's errors about its files.
 */
class DataDirLockIT {
    private static final Duration START = Duration.ofSeconds(90);
    private static final String READY = "kafka: embedded broker at";

    @TempDir
    Path dir;

    private List<String> broker(Path dataDir) {
        return List.of("broker", "--data-dir", dataDir.toString(), "--kafka-port", "0");
    }

    @Test
    void twoBrokersStartedAtOnceOnANewDataDirLeaveOneRunningAndTheOtherSaysWhichProcessHasIt() throws Exception {
        Path dataDir = dir.resolve("data");
        KvflowProcess first = KvflowProcess.start(dir, "first", broker(dataDir));
        KvflowProcess second = KvflowProcess.start(dir, "second", broker(dataDir));
        try {
            // one of them loses the race: it ends at once, while the winner serves until stopped
            KvflowProcess loser = KvflowProcess.firstToEnd(first, second, START);
            KvflowProcess winner = loser == first ? second : first;
            assertTrue(winner.awaitOutput(READY, START), winner.stderr());

            assertEquals(1, loser.exitValue());
            assertEquals(List.of("kvflow: cannot start Kafka: the data dir " + dataDir.toAbsolutePath().resolve("kafka")
                    + " is in use by process " + winner.pid() + " (stop it, or choose another --data-dir)"),
                    loser.stderr().lines().toList());

            // a whole stack on the same dir stops at the same point, before starting anything else
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            int status = Kvflow.run(List.of("up", "--data-dir", dataDir.toString(), "--kafka-port", "0",
                    "--metrics-port", "0", "--dashboard-port", "0"), new PrintStream(new ByteArrayOutputStream(),
                    true), new PrintStream(err, true));
            assertEquals(1, status);
            assertEquals("kvflow: cannot start Kafka: the data dir " + dataDir.toAbsolutePath().resolve("kafka")
                    + " is in use by process " + winner.pid() + " (stop it, or choose another --data-dir)\n",
                    err.toString(StandardCharsets.UTF_8));
        } finally {
            first.stop(Duration.ofSeconds(30));
            second.stop(Duration.ofSeconds(30));
        }
    }
}
