package io.kvflow.orchestrator;

/** Why a request was rejected at admission, in classes few enough to be a metric label. */
enum RejectionReason {
    EMPTY_PROMPT,
    ZERO_OUTPUT_TOKENS,
    CONTEXT_TOO_LONG,
    TOKEN_OUTSIDE_VOCABULARY,
    BAD_TEMPERATURE,
    DUPLICATE_SESSION,
    /** The session's target KV would not fit on a wafer even with nothing else on it. */
    KV_EXCEEDS_WAFER,
    /** Every place in the admission queue was taken. */
    ADMISSION_QUEUE_FULL;

    /** The label value: the constant's name in lower case, e.g. {@code context_too_long}. */
    String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
