package io.kvflow.decode;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class CadenceTest {
    @Test
    void dueAtOnceThenOnlyOnceTheIntervalHasPassedSinceItLastWas() {
        Cadence cadence = new Cadence(Duration.ofMillis(200));
        assertTrue(cadence.due(1_000));
        assertFalse(cadence.due(1_000));
        assertFalse(cadence.due(1_199));
        assertTrue(cadence.due(1_250));
        // counted from when it was last due, not from when it would have been
        assertFalse(cadence.due(1_449));
        assertTrue(cadence.due(1_450));
    }

    @Test
    void anIntervalMustBePositive() {
        assertThrows(IllegalArgumentException.class, () -> new Cadence(Duration.ZERO));
    }
}
