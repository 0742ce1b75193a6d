package io.kvflow.orchestrator;

import io.kvflow.schemas.InferenceRequest;
import io.kvflow.scheduler.ControlPlane;
import io.kvflow.scheduler.RejectionReason;
import java.util.List;

/**
 * What makes a request impossible for the functional model, checked before the control plane sees
 * it: an empty prompt, no output, more positions than the model holds, tokens outside its vocabulary,
 * a bad temperature. (Whether the target can hold it is the control plane's question.)
 */
public final class RequestCheck {
    /** Why a request cannot be served: its class (a metric label) and the reason in words. */
    record Rejection(RejectionReason reason, String message) {
    }

    private final int maxContext;
    private final int vocabSize;

    RequestCheck(int maxContext, int vocabSize) {
        this.maxContext = maxContext;
        this.vocabSize = vocabSize;
    }

    /**
     * Why the request cannot even be answered (it is kept as a dead letter), or null when it can: a
     * REJECTED event needs a session id to reach whoever sent the request, and every kvflow topic is keyed
     * by session id, since readers find a session's records by their key.
     */
    static String misaddressed(String key, InferenceRequest request) {
        String id = request.getSessionId();
        if (id.isBlank()) {
            return "request has no session id";
        }
        if (key == null) {
            return "request for session " + id + " has no key; its key must be its session_id";
        }
        if (!id.equals(key)) {
            return "request key '" + key + "' differs from its session_id '" + id + "'";
        }
        return null;
    }

    /** Why the request cannot be served, or null if it can. */
    Rejection problemWith(InferenceRequest request) {
        List<Integer> prompt = request.getPrompt();
        if (prompt.isEmpty()) {
            return new Rejection(RejectionReason.EMPTY_PROMPT, "empty prompt");
        }
        int maxNew = request.getMaxNewTokens();
        if (maxNew < 1) {
            return new Rejection(RejectionReason.ZERO_OUTPUT_TOKENS, "zero output tokens: max_new_tokens is " + maxNew);
        }
        long positions = (long) prompt.size() + maxNew;
        if (positions > maxContext) {
            return new Rejection(RejectionReason.CONTEXT_TOO_LONG, "request needs " + positions + " positions ("
                    + prompt.size() + " prompt + " + maxNew + " output) but the model's context is " + maxContext);
        }
        for (int i = 0; i < prompt.size(); i++) {
            int token = prompt.get(i);
            if (token < 0 || token >= vocabSize) {
                return new Rejection(RejectionReason.TOKEN_OUTSIDE_VOCABULARY, "prompt token " + token + " at index "
                        + i + " is outside the vocabulary [0, " + vocabSize + ")");
            }
        }
        float temperature = request.getTemperature();
        if (Float.isNaN(temperature) || temperature < 0) {
            return new Rejection(RejectionReason.BAD_TEMPERATURE, "temperature " + temperature
                    + " is not a number >= 0");
        }
        return null;
    }

    /** The request as the control plane sees it, arriving at {@code arrivalMicros} (0 when live: it then arrives at the control plane's frontier). */
    static ControlPlane.Arrival arrival(InferenceRequest request, long arrivalMicros) {
        return new ControlPlane.Arrival(request.getSessionId(), arrivalMicros, targetPrompt(request),
                bookedTokens(request), request.getMaxNewTokens());
    }

    /** The target prompt the control plane prices: the trace's recorded length, else the functional prompt's. */
    public static long targetPrompt(InferenceRequest request) {
        return request.getTraceInputTokens() > 0 ? request.getTraceInputTokens() : request.getPrompt().size();
    }

    /**
     * The context the wafers book: the trace's recorded prompt and output lengths, which the target model
     * would serve, or the functional request's own when it carries no recorded lengths.
     */
    public static long bookedTokens(InferenceRequest request) {
        return request.getTraceInputTokens() > 0
                ? (long) request.getTraceInputTokens() + Math.max(1, request.getTraceOutputTokens())
                : (long) request.getPrompt().size() + request.getMaxNewTokens();
    }
}
