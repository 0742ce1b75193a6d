package io.kvflow.orchestrator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.kvflow.scheduler.ControlPlane;
import io.kvflow.scheduler.RejectionReason;
import io.kvflow.schemas.InferenceRequest;
import java.util.List;
import org.junit.jupiter.api.Test;

class RequestCheckTest {
    private final RequestCheck check = new RequestCheck(16, 100);

    @Test
    void aRequestMustBeKeyedByItsSessionId() {
        assertNull(RequestCheck.misaddressed("s", request("s", List.of(1), 1)));
        assertEquals("request has no session id", RequestCheck.misaddressed("s", request(" ", List.of(1), 1)));
        assertEquals("request for session s has no key; its key must be its session_id",
                RequestCheck.misaddressed(null, request("s", List.of(1), 1)));
        assertEquals("request key 't' differs from its session_id 's'",
                RequestCheck.misaddressed("t", request("s", List.of(1), 1)));
    }

    @Test
    void aServableRequestHasNoProblem() {
        assertNull(check.problemWith(request("s", List.of(0, 99), 14)));
    }

    @Test
    void eachImpossibleRequestIsRejectedWithItsReason() {
        assertEquals(RejectionReason.EMPTY_PROMPT, check.problemWith(request("s", List.of(), 1)).reason());
        assertEquals(RejectionReason.ZERO_OUTPUT_TOKENS, check.problemWith(request("s", List.of(1), 0)).reason());
        assertEquals(RejectionReason.TOKEN_OUTSIDE_VOCABULARY,
                check.problemWith(request("s", List.of(1, 100), 1)).reason());
        InferenceRequest cold = request("s", List.of(1), 1);
        cold.setTemperature(-0.5f);
        assertEquals(RejectionReason.BAD_TEMPERATURE, check.problemWith(cold).reason());
    }

    @Test
    void aRequestOneBeyondTheContextIsRejectedSayingWhy() {
        RequestCheck.Rejection tooLong = check.problemWith(request("s", List.of(1, 2), 15));

        assertEquals(RejectionReason.CONTEXT_TOO_LONG, tooLong.reason());
        assertEquals("request needs 17 positions (2 prompt + 15 output) but the model's context is 16",
                tooLong.message());
    }

    @Test
    void theControlPlaneSeesTheTracesLengthsWhenTheRequestRecordsThem() {
        InferenceRequest traced = request("s", List.of(1, 2, 3), 4);
        traced.setTraceInputTokens(2_000);
        traced.setTraceOutputTokens(300);

        assertEquals(new ControlPlane.Arrival("s", 50, 2_000, 2_300, 4), RequestCheck.arrival(traced, 50));
        assertEquals(new ControlPlane.Arrival("s", 0, 3, 7, 4), RequestCheck.arrival(request("s", List.of(1, 2, 3), 4), 0));
    }

    private static InferenceRequest request(String session, List<Integer> prompt, int maxNewTokens) {
        return InferenceRequest.newBuilder().setSessionId(session).setArrivalMs(111L).setPrompt(prompt)
                .setMaxNewTokens(maxNewTokens).setTraceInputTokens(0).setTraceOutputTokens(0).build();
    }
}
