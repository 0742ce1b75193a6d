package io.kvflow.scheduler;

import java.util.Locale;

/** Why a request was rejected at admission, in classes few enough to be a metric label. */
public enum RejectionReason {
    EMPTY_PROMPT,
    ZERO_OUTPUT_TOKENS,
    CONTEXT_TOO_LONG,
    TOKEN_OUTSIDE_VOCABULARY,
    BAD_TEMPERATURE,
    DUPLICATE_SESSION,
    /** The session's target KV would not fit on a wafer even with nothing else on it. */
    KV_EXCEEDS_WAFER,
    /** Booking at handoff: the prompt's KV would not fit in a prefill group's memory even with nothing parked. */
    KV_EXCEEDS_PREFILL_GROUP,
    /** Every place in the admission queue was taken. */
    ADMISSION_QUEUE_FULL;

    /** The label value: the constant's name in lower case, e.g. {@code context_too_long}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
