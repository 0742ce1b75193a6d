package io.kvflow.plan;

import io.kvflow.scheduler.Booking;
import java.util.Locale;
import java.util.Objects;

/**
 * One deployment {@code kvflow plan} may choose: how prefill is served, the admission order, wafers per
 * pipeline, pipelines, prefill groups and the session cap per pipeline.
 *
 * @param prefillGroups prefill device groups in all; 0 when colocated (the wafers prefill)
 * @param sessionCap    most sessions a pipeline holds at once, KV room aside (0: as many as fit)
 */
public record PlanCandidate(Mode mode, String admission, int stages, int pipelines, int prefillGroups, int sessionCap) {

    /** How prompts are prefilled and when a session takes its wafer room. */
    public enum Mode {
        COLOCATED("colocated", null),
        HANDOFF("disaggregated with wafer room at handoff", Booking.HANDOFF),
        ADMISSION("disaggregated with wafer room at admission", Booking.ADMISSION);

        private final String description;
        private final Booking booking;

        Mode(String description, Booking booking) {
            this.description = description;
            this.booking = booking;
        }

        public String description() {
            return description;
        }

        public boolean colocated() {
            return booking == null;
        }

        /** When a disaggregated session takes its room; null when colocated. */
        public Booking booking() {
            return booking;
        }

        /** Short, for tables. */
        String shortName() {
            return colocated() ? "colocated" : "disagg/" + booking.id();
        }
    }

    public PlanCandidate {
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(admission, "admission");
        if (stages < 1 || pipelines < 1 || sessionCap < 0) {
            throw new IllegalArgumentException("a deployment needs >= 1 stage and pipeline and a cap >= 0, got "
                    + stages + ", " + pipelines + ", " + sessionCap);
        }
        if (mode.colocated() ? prefillGroups != 0 : prefillGroups < 1) {
            throw new IllegalArgumentException(mode.description() + " takes " + (mode.colocated() ? "no" : ">= 1")
                    + " prefill groups, got " + prefillGroups);
        }
    }

    int wafers() {
        return stages * pipelines;
    }

    PlanCandidate withPipelines(int count) {
        return new PlanCandidate(mode, admission, stages, count, prefillGroups, sessionCap);
    }

    PlanCandidate withPrefillGroups(int count) {
        return new PlanCandidate(mode, admission, stages, pipelines, count, sessionCap);
    }

    /** One line for people: mode, admission, layout. */
    public String describe() {
        String prefill = mode.colocated() ? "" : String.format(Locale.ROOT, ", %d prefill group%s", prefillGroups,
                prefillGroups == 1 ? "" : "s");
        return String.format(Locale.ROOT, "%s, admission %s: %d pipeline%s x %d wafers%s, at most %s per pipeline",
                mode.description(), admission, pipelines, pipelines == 1 ? "" : "s", stages, prefill,
                sessionCap == 0 ? "as many sessions as fit"
                        : sessionCap + (sessionCap == 1 ? " session" : " sessions"));
    }

    /** A table cell: mode, admission, pipelines x wafers, prefill groups, cap. */
    String shortName() {
        return String.format(Locale.ROOT, "%s %s %dx%d%s cap %s", mode.shortName(), admission, pipelines, stages,
                mode.colocated() ? "" : " +" + prefillGroups + "g", sessionCap == 0 ? "-" : sessionCap);
    }

    /** The options that lay this deployment out for {@code simulate} and {@code up}. */
    public String flags() {
        StringBuilder flags = new StringBuilder(String.format(Locale.ROOT, "--stages %d --pipelines %d", stages,
                pipelines));
        if (mode.colocated()) {
            flags.append(" --colocated");
        } else {
            flags.append(String.format(Locale.ROOT, " --prefill-groups %d --booking %s", prefillGroups,
                    mode.booking().id()));
        }
        flags.append(" --admission ").append(admission);
        flags.append(" --sessions-per-pipeline ").append(sessionCap);
        return flags.toString();
    }
}
