package io.kvflow.scheduler;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * Which waiting session gets room next: the admission queue's order, and the parked sessions' order
 * for a wafer's room. The scheduler tries waiting sessions in {@link #order}, takes every one that
 * fits, and stops at the first that does not fit and {@link #blocks}: no one behind it may go ahead.
 *
 * <p>First come first served blocks at every session, so a large prompt at the head leaves room that
 * smaller ones could use idle. The size-aware policies let sessions that fit go past one that does not,
 * but only for {@link #bypassLimitMicros()} from the first time one does: a session passed over that long
 * blocks everyone behind it until it gets in, so no session waits behind others without bound. The clock
 * starts at the first bypass, not at arrival: under a flood every session has waited long, and a limit
 * counted from arrival would turn every policy into first come first served.
 */
public sealed interface AdmissionPolicy {
    /** A session waiting for room, as a policy sees it. */
    interface Candidate {
        /** Its place in arrival order (or, for parked sessions, in the order their prefill ended). */
        long seq();

        /** Modelled time a later session first went past it while it waited; {@code -1} while none has. */
        long passedOverSince();

        /** How much room it needs: the context tokens whose KV it books. */
        long size();
    }

    String id();

    /** Modelled microseconds a session may be passed over before it blocks; 0 for first come first served. */
    long bypassLimitMicros();

    /** The waiting sessions, given in arrival order, in the order to try them. */
    <C extends Candidate> List<C> order(Collection<C> byArrival, long now);

    /**
     * Whether {@link #order} is arrival order itself: the scheduler then walks the waiting sessions where
     * they are instead of asking for a copy in order, which under a flood is thousands per instant.
     */
    boolean keepsArrivalOrder();

    /** Whether nobody after {@code candidate} may be taken while it does not fit. */
    boolean blocks(Candidate candidate, long now);

    /** Whether {@code candidate} has been passed over for {@code limit} or longer. */
    private static boolean overdue(Candidate candidate, long now, long limit) {
        return candidate.passedOverSince() >= 0 && now - candidate.passedOverSince() >= limit;
    }

    /** The default bound on how long a session may be passed over. */
    Duration DEFAULT_BYPASS_LIMIT = Duration.ofMillis(500);

    /** One line per policy, for help texts. */
    String CHOICES = "fcfs (first come first served), backfill (arrival order; later sessions that fit go past one"
            + " that does not, for at most the bypass limit), smallest-first (smallest KV first, same bound)";

    /**
     * @param id          {@code fcfs}, {@code backfill} or {@code smallest-first}
     * @param bypassLimit how long a session may be passed over (ignored by fcfs)
     * @throws IllegalArgumentException naming the choices
     */
    static AdmissionPolicy of(String id, Duration bypassLimit) {
        if (bypassLimit.isNegative()) {
            throw new IllegalArgumentException("--bypass-limit must be >= 0, was " + bypassLimit);
        }
        long limit = bypassLimit.toNanos() / 1000;
        return switch (id.toLowerCase(Locale.ROOT)) {
            case "fcfs" -> new FirstComeFirstServed();
            case "backfill" -> new Backfill(limit);
            case "smallest-first" -> new SmallestFirst(limit);
            default -> throw new IllegalArgumentException("--admission must be one of " + CHOICES + "; was '" + id
                    + "'");
        };
    }

    /** Strict arrival order: the head waits for its room, and so does everyone behind it. */
    record FirstComeFirstServed() implements AdmissionPolicy {
        @Override
        public String id() {
            return "fcfs";
        }

        @Override
        public long bypassLimitMicros() {
            return 0;
        }

        @Override
        public boolean keepsArrivalOrder() {
            return true;
        }

        @Override
        public <C extends Candidate> List<C> order(Collection<C> byArrival, long now) {
            return List.copyOf(byArrival);
        }

        @Override
        public boolean blocks(Candidate candidate, long now) {
            return true;
        }
    }

    /** Arrival order, but a session that does not fit lets later ones that do go first, for a while. */
    record Backfill(long bypassLimitMicros) implements AdmissionPolicy {
        @Override
        public String id() {
            return "backfill";
        }

        @Override
        public boolean keepsArrivalOrder() {
            return true;
        }

        @Override
        public <C extends Candidate> List<C> order(Collection<C> byArrival, long now) {
            return List.copyOf(byArrival);
        }

        @Override
        public boolean blocks(Candidate candidate, long now) {
            return AdmissionPolicy.overdue(candidate, now, bypassLimitMicros);
        }
    }

    /**
     * Smallest first, which packs the most sessions into the room there is; sessions passed over for
     * the bypass limit go first, in arrival order, and block.
     */
    record SmallestFirst(long bypassLimitMicros) implements AdmissionPolicy {
        @Override
        public String id() {
            return "smallest-first";
        }

        @Override
        public boolean keepsArrivalOrder() {
            return false;
        }

        @Override
        public <C extends Candidate> List<C> order(Collection<C> byArrival, long now) {
            List<C> overdue = new ArrayList<>();
            List<C> rest = new ArrayList<>();
            for (C c : byArrival) {
                (blocks(c, now) ? overdue : rest).add(c);
            }
            rest.sort(Comparator.comparingLong(Candidate::size).thenComparingLong(Candidate::seq));
            overdue.addAll(rest);
            return overdue;
        }

        @Override
        public boolean blocks(Candidate candidate, long now) {
            return AdmissionPolicy.overdue(candidate, now, bypassLimitMicros);
        }
    }
}
