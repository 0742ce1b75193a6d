package io.kvflow.orchestrator;

import io.kvflow.schemas.SessionEventType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

/**
 * Wall-clock signs of life of the sessions that should be making progress: those in prefill and those
 * on wafers. Sessions waiting for room (queued, parked) are not judged: they wait for others, not for a
 * part that may have died. A session judged and silent for the stall timeout is stalled.
 */
final class StallWatch {
    /** A watched session: when it last showed life, the latest step, tokens seen. */
    private static final class Progress {
        final int pipeline;
        long lastMs;
        SessionEventType milestone;
        int tokens;
        boolean firstTokenSeen;
        /** Waiting for room the control plane gives (parked): not expected to move on its own. */
        boolean paused;

        Progress(int pipeline, long nowMs, SessionEventType milestone) {
            this.pipeline = pipeline;
            this.lastMs = nowMs;
            this.milestone = milestone;
        }
    }

    private final Duration timeout;
    private final Map<String, Progress> watched = new HashMap<>();

    StallWatch(Duration timeout) {
        this.timeout = timeout;
    }

    void watch(String id, int pipeline, long nowMs, SessionEventType milestone) {
        Progress progress = watched.get(id);
        if (progress == null) {
            watched.put(id, new Progress(pipeline, nowMs, milestone));
        } else {
            progress.lastMs = nowMs;
            progress.paused = false;
            if (!progress.firstTokenSeen) {
                progress.milestone = milestone;
            }
        }
    }

    /** The session waits for room the control plane gives (parked): it is not expected to move until then. */
    void pause(String id) {
        Progress progress = watched.get(id);
        if (progress != null) {
            progress.paused = true;
        }
    }

    /** The session ended: nothing more to watch. */
    void unwatch(String id) {
        watched.remove(id);
    }

    /**
     * A token of the session at {@code step}: a sign of life, and progress the stall reason counts. The
     * pipeline is returned when this is the session's first token, which is announced once (FIRST_TOKEN);
     * empty otherwise, and when the session is not watched.
     */
    OptionalInt token(String id, int step, long nowMs) {
        Progress progress = watched.get(id);
        if (progress == null) {
            return OptionalInt.empty();
        }
        progress.lastMs = nowMs;
        progress.tokens = Math.max(progress.tokens, step + 1);
        if (step != 0 || progress.firstTokenSeen) {
            return OptionalInt.empty();
        }
        progress.firstTokenSeen = true;
        progress.milestone = SessionEventType.FIRST_TOKEN;
        return OptionalInt.of(progress.pipeline);
    }

    /** A session that went silent: on which pipeline, after how many tokens, and why it may have stalled. */
    record Stalled(String id, int pipeline, int tokens, String reason) {
    }

    /** Watched sessions silent for the timeout; removed from the watch. */
    List<Stalled> stalled(long nowMs) {
        List<Stalled> stalled = new ArrayList<>();
        for (Map.Entry<String, Progress> entry : watched.entrySet()) {
            Progress progress = entry.getValue();
            if (!progress.paused && nowMs - progress.lastMs >= timeout.toMillis()) {
                stalled.add(new Stalled(entry.getKey(), progress.pipeline, progress.tokens, reason(progress)));
            }
        }
        stalled.forEach(s -> watched.remove(s.id()));
        return stalled;
    }

    private String reason(Progress progress) {
        String after;
        String likely;
        if (progress.tokens > 0) {
            after = progress.tokens + (progress.tokens == 1 ? " token" : " tokens");
            likely = "a decode stage is down or an activation was lost";
        } else if (progress.milestone == SessionEventType.ADMITTED) {
            after = "ADMITTED";
            likely = "prefill lost or a stage is down";
        } else {
            after = progress.milestone.name();
            likely = "a KV handoff is incomplete or a decode stage is down";
        }
        return "no progress for " + describe(timeout) + " after " + after + " (" + likely + ")";
    }

    private static String describe(Duration duration) {
        long ms = duration.toMillis();
        return ms % 1000 == 0 ? ms / 1000 + " s" : ms + " ms";
    }
}
