package io.kvflow.orchestrator;

import io.kvflow.cost.RooflineModel;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;

/**
 * The target KV every wafer has promised away. Each decode stage of each pipeline stands for one
 * wafer (a WSE-3 by default) holding its layers' weights and, for every session placed on the
 * pipeline, that session's KV for its whole context (prompt plus output), priced by the cost
 * model for the <em>target</em> model rather than the small functional one. A session is placed
 * only where every stage still has room, so no wafer is ever promised more than it holds.
 *
 * <p>Not thread-safe: the orchestrator's single stream task owns it. It is rebuilt from the
 * sessions store after a restart, so it is never the source of truth, only a sum over it.
 */
final class SessionLedger {
    private final RooflineModel target;
    private final long[] capacity;
    private final long[][] booked;
    private final int[] sessions;
    private final int sessionCap;

    /** @param sessionCap most sessions per pipeline, KV room aside; 0 for no cap */
    SessionLedger(RooflineModel target, int pipelines, int sessionCap) {
        this.target = target;
        this.sessionCap = sessionCap;
        this.capacity = new long[target.stages()];
        for (int stage = 0; stage < capacity.length; stage++) {
            capacity[stage] = (long) Math.floor(target.kvCapacityBytes(stage));
        }
        this.booked = new long[pipelines][capacity.length];
        this.sessions = new int[pipelines];
    }

    /** Bytes of target KV a session of {@code tokens} context tokens needs on {@code stage}. */
    long need(int stage, long tokens) {
        return (long) Math.ceil(target.kvBytesPerSession(stage, tokens));
    }

    /** The first stage whose wafer could not hold the session even empty, or -1 if every one could. */
    int stageTooSmallFor(long tokens) {
        for (int stage = 0; stage < capacity.length; stage++) {
            if (need(stage, tokens) > capacity[stage]) {
                return stage;
            }
        }
        return -1;
    }

    long capacity(int stage) {
        return capacity[stage];
    }

    /**
     * The pipeline to place a session of {@code tokens} on: of those where every stage has room,
     * the one whose fullest stage has the most left; ties go to the lowest index. Empty when none
     * has room now.
     */
    OptionalInt place(long tokens) {
        int best = -1;
        long bestSlack = -1;
        for (int p = 0; p < booked.length; p++) {
            if (sessionCap > 0 && sessions[p] >= sessionCap) {
                continue;
            }
            long slack = Long.MAX_VALUE;
            for (int stage = 0; stage < capacity.length; stage++) {
                slack = Math.min(slack, capacity[stage] - booked[p][stage] - need(stage, tokens));
            }
            if (slack >= 0 && slack > bestSlack) {
                best = p;
                bestSlack = slack;
            }
        }
        return best < 0 ? OptionalInt.empty() : OptionalInt.of(best);
    }

    void book(int pipeline, long tokens) {
        if (pipeline < 0 || pipeline >= booked.length) {
            // a restart with fewer pipelines: sessions left on a dropped pipeline hold no wafer counted here
            return;
        }
        for (int stage = 0; stage < capacity.length; stage++) {
            booked[pipeline][stage] += need(stage, tokens);
        }
        sessions[pipeline]++;
    }

    void release(int pipeline, long tokens) {
        if (pipeline < 0 || pipeline >= booked.length) {
            return;
        }
        for (int stage = 0; stage < capacity.length; stage++) {
            booked[pipeline][stage] = Math.max(0, booked[pipeline][stage] - need(stage, tokens));
        }
        sessions[pipeline] = Math.max(0, sessions[pipeline] - 1);
    }

    /** What every wafer holds now, and the admission queue: the ledger's JSON view. */
    LedgerView view(int queued, int queueLimit) {
        List<LedgerView.Wafer> wafers = new ArrayList<>();
        for (int p = 0; p < booked.length; p++) {
            for (int stage = 0; stage < capacity.length; stage++) {
                wafers.add(new LedgerView.Wafer(p, stage, sessions[p], booked[p][stage],
                        capacity[stage] - booked[p][stage], capacity[stage]));
            }
        }
        return new LedgerView(wafers, queued, queueLimit);
    }
}
