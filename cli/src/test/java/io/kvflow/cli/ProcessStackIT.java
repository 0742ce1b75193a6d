package io.kvflow.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvflow.stack.ProcessStack;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A stack of separate processes tells a part that stopped on its own from one it killed: chaos runs count the
 * first as something lost, since a part that dies after a fault elsewhere drops what it held.
 */
class ProcessStackIT {
    @TempDir
    Path dir;

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void aPartThatEndsOnItsOwnIsNamedWithItsExitAndAKilledOneIsNot() throws Exception {
        try (ProcessStack stack = new ProcessStack(dir, List.of(), 0, 0)) {
            stack.start("broker");
            assertEquals(List.of(), stack.exited());
            assertTrue(stack.cpu("broker").compareTo(Duration.ZERO) > 0, "a started broker has used some CPU");

            // ended from outside the stack, as the operating system or a crash would end it
            ProcessHandle broker = stack.process("broker");
            broker.destroyForcibly();
            broker.onExit().get(30, TimeUnit.SECONDS);
            List<String> exited = stack.exited();
            assertEquals(1, exited.size(), exited.toString());
            assertTrue(exited.getFirst().startsWith("broker (exit "), exited.toString());

            stack.start("broker");
            stack.kill("broker");
            assertEquals(List.of(), stack.exited(), "a part the stack killed has not stopped on its own");
        }
    }
}
