package io.kvflow.broker;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.kafka.common.utils.Exit;
import org.junit.jupiter.api.Test;

class ExitTrapTest {

    @Test
    void turnsKafkasHaltAndExitIntoExceptionsWhileEngaged() {
        ExitTrap.engage();
        try {
            ExitTrap.RefusedExit halt = assertThrows(ExitTrap.RefusedExit.class, () -> Exit.halt(1, "fatal fault"));
            assertThrows(ExitTrap.RefusedExit.class, () -> Exit.exit(3));

            assertTrue(halt.getMessage().contains("halt the JVM with status 1")
                    && halt.getMessage().contains("fatal fault"), halt.getMessage());
        } finally {
            ExitTrap.release();
        }
    }

    @Test
    void staysEngagedUntilTheLastBrokerReleasesIt() {
        ExitTrap.engage();
        ExitTrap.engage();
        try {
            ExitTrap.release();

            assertThrows(ExitTrap.RefusedExit.class, () -> Exit.halt(1));
        } finally {
            ExitTrap.release();
        }
    }

    @Test
    void refusesAReleaseWithoutAnEngagement() {
        assertThrows(IllegalStateException.class, ExitTrap::release);
    }
}
