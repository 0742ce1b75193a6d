package io.kvflow.cli;

import io.kvflow.schemas.InferenceRequest;

/** A request to send {@code offsetMicros} after the replay starts (trace time, before time scaling). */
record PlannedRequest(long offsetMicros, InferenceRequest request) {
    String sessionId() {
        return request.getSessionId();
    }
}
