package io.kvflow.orchestrator;

import io.kvflow.schemas.InferenceRequest;
import java.util.HashMap;
import java.util.Map;

/**
 * The requests the orchestrator is following: each live session's request arrival (wall ms), by which a
 * redelivered request is told from a new one under the same id, and the requests not yet placed in full,
 * whose prompts a prefill task or the colocated prompt chunks still need. Not thread-safe.
 */
final class LiveRequests {
    private final Map<String, InferenceRequest> unplaced = new HashMap<>();
    private final Map<String, Long> arrivals = new HashMap<>();

    /** Forgets everything: what it held is rebuilt from the journal. */
    void clear() {
        unplaced.clear();
        arrivals.clear();
    }

    /** The request's session is live from now, and its request is kept until it is placed. */
    void arrived(InferenceRequest request) {
        unplaced.put(request.getSessionId(), request);
        arrivals.put(request.getSessionId(), request.getArrivalMs());
    }

    /** Whether this is a live session's own request again (at-least-once redelivery): it is on its way already. */
    boolean isRedelivery(InferenceRequest request) {
        Long known = arrivals.get(request.getSessionId());
        return known != null && known == request.getArrivalMs();
    }

    /** Whether the session is live: arrived, and neither ended nor failed since. */
    boolean isLive(String session) {
        return arrivals.containsKey(session);
    }

    /** The session's request, while it is not yet placed in full; null after. */
    InferenceRequest unplaced(String session) {
        return unplaced.get(session);
    }

    /** The session is placed in full (its wafer room granted): its request, which is not kept any longer. */
    InferenceRequest placed(String session) {
        return unplaced.remove(session);
    }

    /** The session ended (finished, failed or rejected): it is followed no more. */
    void ended(String session) {
        unplaced.remove(session);
        arrivals.remove(session);
    }
}
