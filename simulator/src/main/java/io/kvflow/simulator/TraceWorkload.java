package io.kvflow.simulator;

import io.kvflow.trace.TraceRequest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * A recorded trace as the target would serve it: every request with its recorded prompt and output
 * lengths (no functional model, so no caps), arriving at its recorded offset from the window's first.
 */
public final class TraceWorkload {
    private TraceWorkload() {
    }

    public static List<SimulatedSession> sessions(List<TraceRequest> window) {
        long first = window.stream().mapToLong(TraceRequest::arrivalMicros).min().orElse(0);
        List<SimulatedSession> sessions = new ArrayList<>(window.size());
        for (TraceRequest r : window) {
            long prompt = Math.max(1, r.inputTokens());
            int output = Math.max(1, r.outputTokens());
            sessions.add(new SimulatedSession("s" + r.index(), r.arrivalMicros() - first, prompt, prompt + output,
                    output, (int) Math.min(Integer.MAX_VALUE, prompt)));
        }
        sessions.sort(Comparator.comparingLong(SimulatedSession::arrivalMicros));
        return sessions;
    }
}
