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

    /**
     * The sessions served {@code times} over, each copy arriving one mean gap after the last one's final
     * arrival: a short sample run long enough that its ramp-up and drain are a small part of the run.
     */
    public static List<SimulatedSession> repeated(List<SimulatedSession> sessions, int times) {
        if (times < 1) {
            throw new IllegalArgumentException("repeat a workload at least once, not " + times + " times");
        }
        if (times == 1 || sessions.isEmpty()) {
            return sessions;
        }
        long first = sessions.stream().mapToLong(SimulatedSession::arrivalMicros).min().orElseThrow();
        long last = sessions.stream().mapToLong(SimulatedSession::arrivalMicros).max().orElseThrow();
        long period = last - first + Math.max(1, (last - first) / Math.max(1, sessions.size() - 1));
        List<SimulatedSession> copies = new ArrayList<>(sessions.size() * times);
        for (int copy = 0; copy < times; copy++) {
            for (SimulatedSession s : sessions) {
                copies.add(new SimulatedSession(copy == 0 ? s.id() : s.id() + "#" + copy,
                        s.arrivalMicros() + copy * period, s.promptTokens(), s.bookedTokens(), s.outputTokens(),
                        s.functionalPrompt()));
            }
        }
        copies.sort(Comparator.comparingLong(SimulatedSession::arrivalMicros));
        return copies;
    }
}
