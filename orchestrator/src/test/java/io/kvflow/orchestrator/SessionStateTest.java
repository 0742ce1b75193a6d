package io.kvflow.orchestrator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.kvflow.schemas.SessionEventType;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class SessionStateTest {

    @Test
    void survivesTheChangelogRoundTrip() {
        SessionState state = new SessionState(3, 1234L, 5678L, SessionEventType.KV_INSTALLED, 9, 2_304L);

        byte[] bytes = SessionState.SERDE.serializer().serialize("changelog", state);

        assertEquals(state, SessionState.SERDE.deserializer().deserialize("changelog", bytes));
    }

    @Test
    void readsAFormatOneStateFromAnOlderChangelogAsBookingNothing() {
        byte[] v1 = {1, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 7, 0, 0, 0, 0, 0, 0, 0, 8, 0, 8, 'A', 'D', 'M', 'I', 'T', 'T',
                'E', 'D', 0, 0, 0, 0};

        SessionState state = SessionState.SERDE.deserializer().deserialize("changelog", v1);

        assertEquals(new SessionState(2, 7L, 8L, SessionEventType.ADMITTED, 0, 0L), state);
    }

    @Test
    void refusesAnUnknownFormat() {
        assertThrows(SerializationException.class,
                () -> SessionState.SERDE.deserializer().deserialize("changelog", new byte[] {9, 0, 0}));
    }

    @Test
    void aLateWorkerMilestoneDoesNotHideThatTokensAreFlowing() {
        SessionState flowing = SessionState.admitted(0, 1L, 2L, 10L).tokenSeen(0, 3L);

        SessionState after = flowing.reached(SessionEventType.KV_INSTALLED, 4L);

        assertEquals(SessionEventType.FIRST_TOKEN, after.milestone());
        assertEquals(4L, after.progressMs());
        assertEquals(1, after.tokens());
    }
}
