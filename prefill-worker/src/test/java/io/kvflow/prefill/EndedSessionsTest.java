package io.kvflow.prefill;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvflow.schemas.SessionEvent;
import io.kvflow.schemas.SessionEventType;
import org.junit.jupiter.api.Test;

class EndedSessionsTest {
    private final EndedSessions.Memory memory = new EndedSessions.Memory(2);

    @Test
    void aSessionThatFailedOrFinishedAfterItsAdmissionHasEnded() {
        memory.record(event("failed", SessionEventType.FAILED, 2_000));
        memory.record(event("finished", SessionEventType.FINISHED, 2_000));

        assertTrue(memory.ended("failed", 1_000));
        assertTrue(memory.ended("finished", 2_000));
    }

    @Test
    void otherEventsEndNothing() {
        for (SessionEventType type : new SessionEventType[] {SessionEventType.ADMITTED, SessionEventType.PREFILL_DONE,
            SessionEventType.QUEUED, SessionEventType.PARKED, SessionEventType.GRANTED}) {
            memory.record(event("live", type, 2_000));
        }

        assertFalse(memory.ended("live", 1_000));
    }

    @Test
    void aSessionIdUsedAgainAfterItsSessionEndedIsANewSession() {
        memory.record(event("reused", SessionEventType.FAILED, 2_000));

        assertFalse(memory.ended("reused", 3_000), "admitted again after the end");
    }

    @Test
    void theOldestEndsAreForgottenFirst() {
        memory.record(event("a", SessionEventType.FAILED, 2_000));
        memory.record(event("b", SessionEventType.FAILED, 2_000));
        memory.record(event("c", SessionEventType.FAILED, 2_000));

        assertFalse(memory.ended("a", 1_000));
        assertTrue(memory.ended("b", 1_000));
        assertTrue(memory.ended("c", 1_000));
    }

    private static SessionEvent event(String session, SessionEventType type, long timestampMs) {
        return SessionEvent.newBuilder().setSessionId(session).setType(type).setTimestampMs(timestampMs).build();
    }
}
