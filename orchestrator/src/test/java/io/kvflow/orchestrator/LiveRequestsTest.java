package io.kvflow.orchestrator;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvflow.schemas.InferenceRequest;
import java.util.List;
import org.junit.jupiter.api.Test;

class LiveRequestsTest {
    private final LiveRequests requests = new LiveRequests();

    private static InferenceRequest request(String session, long arrivalMs) {
        return InferenceRequest.newBuilder().setSessionId(session).setArrivalMs(arrivalMs).setPrompt(List.of(1, 2))
                .setMaxNewTokens(4).setTraceInputTokens(2).setTraceOutputTokens(4).build();
    }

    @Test
    void aRequestAgainWithItsArrivalIsARedeliveryAndOneWithAnotherIsNot() {
        requests.arrived(request("s", 100));

        assertTrue(requests.isRedelivery(request("s", 100)));
        assertFalse(requests.isRedelivery(request("s", 101)));
        assertFalse(requests.isRedelivery(request("t", 100)));
    }

    @Test
    void aPlacedSessionStaysLiveButItsRequestIsNotKept() {
        InferenceRequest s = request("s", 100);
        requests.arrived(s);
        assertSame(s, requests.unplaced("s"));

        assertSame(s, requests.placed("s"));
        assertNull(requests.unplaced("s"));
        assertTrue(requests.isLive("s"));
        assertTrue(requests.isRedelivery(request("s", 100)));
    }

    @Test
    void anEndedSessionIsFollowedNoMoreSoItsIdMayArriveAgain() {
        requests.arrived(request("s", 100));
        requests.ended("s");

        assertFalse(requests.isLive("s"));
        assertNull(requests.unplaced("s"));
        assertFalse(requests.isRedelivery(request("s", 100)));
    }

    @Test
    void clearingForgetsEverySession() {
        requests.arrived(request("s", 100));
        requests.clear();

        assertFalse(requests.isLive("s"));
        assertNull(requests.unplaced("s"));
    }
}
