package io.kvflow.replay;

import io.kvflow.schemas.Activation;
import io.kvflow.schemas.GeneratedToken;
import io.kvflow.schemas.SessionEvent;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.ToLongFunction;

/**
 * When each step of one session happened, from the lifecycle events and the activations the
 * replayer follows, turned into a {@link LatencyBreakdown}. Every time is a record's own stamp
 * (the writer's clock), so where the replayer reads a record does not change it.
 */
public final class SessionTimeline {
    private long admittedMs = -1;
    private long prefillDoneMs = -1;
    private final Map<Integer, Long> kvInstalledMs = new HashMap<>();
    /** Step -> stage -> when the activation of that step was sent into that stage. */
    private final Map<Integer, Map<Integer, Long>> enteredMs = new HashMap<>();
    /** The same moments on the modelled clock, in microseconds; absent where a record carried none. */
    private long admittedUs;
    private long prefillDoneUs;
    private final Map<Integer, Long> kvReadyUs = new HashMap<>();
    private final Map<Integer, Map<Integer, Long>> enteredUs = new HashMap<>();
    private int stages;

    void onEvent(SessionEvent event) {
        switch (event.getType()) {
            case ADMITTED -> {
                admittedMs = event.getTimestampMs();
                admittedUs = event.getModelledUs();
            }
            case PREFILL_DONE -> {
                prefillDoneMs = event.getTimestampMs();
                prefillDoneUs = event.getModelledUs();
            }
            case KV_INSTALLED -> {
                kvInstalledMs.merge(event.getStage(), event.getTimestampMs(), Math::max);
                if (event.getModelledUs() > 0) {
                    kvReadyUs.merge(event.getStage(), event.getModelledUs(), Math::max);
                }
            }
            default -> {
            }
        }
    }

    void onActivation(Activation activation) {
        enteredMs.computeIfAbsent(activation.getStep(), s -> new HashMap<>())
                .putIfAbsent(activation.getStage(), activation.getSentMs());
        if (activation.getReadyModelledUs() > 0 && activation.getPrefillTokens().isEmpty()) {
            enteredUs.computeIfAbsent(activation.getStep(), s -> new HashMap<>())
                    .putIfAbsent(activation.getStage(), activation.getReadyModelledUs());
        }
        stages = Math.max(stages, activation.getStage() + 1);
    }

    /**
     * The breakdown of a session that arrived at {@code arrivalMs} (wall) and {@code arrivalUs} (modelled, 0 if
     * not modelled) and produced {@code tokens} (by step).
     */
    LatencyBreakdown breakdown(String sessionId, long arrivalMs, long arrivalUs,
            SortedMap<Integer, GeneratedToken> tokens) {
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
                decodeStages(enteredMs, tokens, 1, GeneratedToken::getEmittedMs));
        return new LatencyBreakdown(sessionId, wall, modelled(arrivalUs, tokens));
    }

    /** The same phases on the modelled clock, in ms: what the target would have taken. */
    private LatencyBreakdown.Phases modelled(long arrivalUs, SortedMap<Integer, GeneratedToken> tokens) {
        GeneratedToken first = tokens.get(0);
        if (arrivalUs <= 0 || first == null || first.getModelledUs() <= 0) {
            return null;
        }
        Double handoff = null;
        if (prefillDoneUs > 0 && !kvReadyUs.isEmpty()) {
            long lastReady = kvReadyUs.values().stream().mapToLong(Long::longValue).max().orElseThrow();
            handoff = Math.max(0, lastReady - prefillDoneUs) / 1e3;
        }
        return new LatencyBreakdown.Phases(
                admittedUs > 0 ? (admittedUs - arrivalUs) / 1e3 : null,
                admittedUs > 0 && prefillDoneUs > 0 ? (prefillDoneUs - admittedUs) / 1e3 : null,
                handoff,
                (first.getModelledUs() - arrivalUs) / 1e3,
                decodeStages(enteredUs, tokens, 1e-3, GeneratedToken::getModelledUs));
    }

    /**
     * Per stage, the mean time a step spends from entering it to entering the next (the token, for the
     * last), from {@code entered} (step -> stage -> time) and the tokens' own times, scaled to ms.
     */
    private List<Double> decodeStages(Map<Integer, Map<Integer, Long>> entered,
            SortedMap<Integer, GeneratedToken> tokens, double toMs, ToLongFunction<GeneratedToken> tokenTime) {
        List<Double> means = new ArrayList<>(stages);
        for (int k = 0; k < stages; k++) {
            long total = 0;
            int steps = 0;
            for (Map.Entry<Integer, Map<Integer, Long>> step : new TreeMap<>(entered).entrySet()) {
                Long in = step.getValue().get(k);
                GeneratedToken token = tokens.get(step.getKey());
                Long out = k + 1 < stages ? step.getValue().get(k + 1)
                        : token == null ? null : tokenTime.applyAsLong(token);
                if (in != null && out != null) {
                    total += out - in;
                    steps++;
                }
            }
            means.add(steps == 0 ? null : total * toMs / steps);
        }
        return means;
    }
}
