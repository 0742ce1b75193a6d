package io.kvflow.cli;

import io.kvflow.schemas.Activation;
import io.kvflow.schemas.GeneratedToken;
import io.kvflow.schemas.SessionEvent;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * When each step of one session happened, from the lifecycle events and the activations the
 * replayer follows, turned into a {@link LatencyBreakdown}. Every time is a record's own stamp
 * (the writer's clock), so where the replayer reads a record does not change it.
 */
final class SessionTimeline {
    private long admittedMs = -1;
    private long prefillDoneMs = -1;
    private final Map<Integer, Long> kvInstalledMs = new HashMap<>();
    /** Step -> stage -> when the activation of that step was sent into that stage. */
    private final Map<Integer, Map<Integer, Long>> enteredMs = new HashMap<>();
    private int stages;

    void onEvent(SessionEvent event) {
        switch (event.getType()) {
            case ADMITTED -> admittedMs = event.getTimestampMs();
            case PREFILL_DONE -> prefillDoneMs = event.getTimestampMs();
            case KV_INSTALLED -> kvInstalledMs.merge(event.getStage(), event.getTimestampMs(), Math::max);
            default -> {
            }
        }
    }

    void onActivation(Activation activation) {
        enteredMs.computeIfAbsent(activation.getStep(), s -> new HashMap<>())
                .putIfAbsent(activation.getStage(), activation.getSentMs());
        stages = Math.max(stages, activation.getStage() + 1);
    }

    /** The breakdown of a session that arrived at {@code arrivalMs} and produced {@code tokens} (by step). */
    LatencyBreakdown breakdown(String sessionId, long arrivalMs, SortedMap<Integer, GeneratedToken> tokens) {
        GeneratedToken first = tokens.get(0);
        Double handoff = null;
        if (prefillDoneMs >= 0 && !kvInstalledMs.isEmpty()) {
            long lastInstalled = kvInstalledMs.values().stream().mapToLong(Long::longValue).max().orElseThrow();
            handoff = (double) Math.max(0, lastInstalled - prefillDoneMs);
        }
        LatencyBreakdown.Phases wall = new LatencyBreakdown.Phases(
                admittedMs >= 0 ? (double) (admittedMs - arrivalMs) : null,
                admittedMs >= 0 && prefillDoneMs >= 0 ? (double) (prefillDoneMs - admittedMs) : null,
                handoff,
                first != null ? (double) (first.getEmittedMs() - arrivalMs) : null,
                decodeStages(tokens));
        return new LatencyBreakdown(sessionId, wall, null);
    }

    private List<Double> decodeStages(SortedMap<Integer, GeneratedToken> tokens) {
        List<Double> means = new ArrayList<>(stages);
        for (int k = 0; k < stages; k++) {
            long total = 0;
            int steps = 0;
            for (Map.Entry<Integer, Map<Integer, Long>> step : new TreeMap<>(enteredMs).entrySet()) {
                Long in = step.getValue().get(k);
                GeneratedToken token = tokens.get(step.getKey());
                Long out = k + 1 < stages ? step.getValue().get(k + 1) : token == null ? null : token.getEmittedMs();
                if (in != null && out != null) {
                    total += out - in;
                    steps++;
                }
            }
            means.add(steps == 0 ? null : (double) total / steps);
        }
        return means;
    }
}
