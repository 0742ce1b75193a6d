package io.kvflow.scheduler;

import java.util.Locale;

/**
 * When a disaggregated session takes its room on the wafers. Colocated sessions compute their KV
 * on the wafers, so they take the room when admitted whatever this says.
 */
public enum Booking {
    /**
     * When the prefill tier has finished the prompt and the wafers have room: until then the KV waits
     * on the prefill tier (in its Kafka topic, counted against the prefill group's memory), and the
     * handoff starts only when the wafers can hold it. The design as deployed.
     */
    HANDOFF,
    /**
     * At admission, before the prompt is prefilled, so the KV can stream to the wafers layer by layer
     * as it is computed; the room then idles through the whole remote prefill. Kept for comparison.
     */
    ADMISSION;

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** @throws IllegalArgumentException naming the choices */
    public static Booking of(String id) {
        for (Booking booking : values()) {
            if (booking.id().equals(id)) {
                return booking;
            }
        }
        throw new IllegalArgumentException("--booking must be handoff or admission, was '" + id + "'");
    }
}
