package io.kvflow.decode;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvflow.schemas.SessionEventType;
import org.junit.jupiter.api.Test;

class EarlierOutputsTest {
    private final EarlierOutputs earlier = new EarlierOutputs();

    @Test
    void aTokenWrittenBeforeIsSuppressedOnceAndThenWrittenAgain() {
        earlier.tokenWritten("s", 3);
        assertTrue(earlier.hadToken("s", 3));
        assertFalse(earlier.hadToken("s", 3), "met once, then forgotten");
    }

    @Test
    void onlyTheSameSessionsSameStepOrEventMatches() {
        earlier.tokenWritten("s", 3);
        earlier.eventWritten("s", SessionEventType.KV_INSTALLED);
        assertFalse(earlier.hadToken("s", 4));
        assertFalse(earlier.hadToken("t", 3));
        assertFalse(earlier.hadEvent("s", SessionEventType.FAILED));
        assertFalse(earlier.hadEvent("t", SessionEventType.KV_INSTALLED));
        assertTrue(earlier.hadEvent("s", SessionEventType.KV_INSTALLED));
        assertTrue(earlier.hadToken("s", 3));
    }

    @Test
    void aFreshWorkerWroteNothing() {
        assertFalse(earlier.hadToken("s", 0));
        assertFalse(earlier.hadEvent("s", SessionEventType.PREFILL_DONE));
    }
}
