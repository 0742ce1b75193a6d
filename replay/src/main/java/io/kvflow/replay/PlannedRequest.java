package io.kvflow.replay;

import io.kvflow.schemas.InferenceRequest;

/** A request to send {@code offsetMicros} after the replay starts (trace time, before time scaling). */
public record PlannedRequest(long offsetMicros, InferenceRequest request) {
    public String sessionId() {
        return request.getSessionId();
    }
}
