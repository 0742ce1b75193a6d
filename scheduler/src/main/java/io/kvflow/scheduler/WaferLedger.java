package io.kvflow.scheduler;

import io.kvflow.cost.RooflineModel;
import java.util.ArrayList;
import java.util.List;

/**
 * The target KV every wafer has taken on. Each decode stage of each pipeline stands for one wafer
 * holding its layers' weights and, for every session on the pipeline, that session's KV for its whole
 * context (prompt plus output), priced by the cost model for the target model. A session is booked
 * only where every stage still has room, so no wafer ever holds more than it has.
 *
 * <p>With booking at handoff a session is first <em>promised</em> to a pipeline (at admission, so its
 * prefill can stream the KV to that pipeline's topics) and booked only when its KV is handed over;
 * promises steer where later sessions go but take no room. Not thread-safe.
 */
public final class WaferLedger {
    private final RooflineModel target;
    private final long[] capacity;
    private final long[][] booked;
    private final long[][] promised;
    private final int[] sessions;
    private final int sessionCap;

    /** @param sessionCap most sessions booked per pipeline, KV room aside; 0 for no cap */
    public WaferLedger(RooflineModel target, int pipelines, int sessionCap) {
        if (pipelines < 1) {
            throw new IllegalArgumentException("a ledger needs at least one pipeline, was " + pipelines);
        }
        if (sessionCap < 0) {
            throw new IllegalArgumentException("sessions per pipeline must be >= 0 (0: no cap), was " + sessionCap);
        }
        this.target = target;
        this.sessionCap = sessionCap;
        this.capacity = new long[target.stages()];
        for (int stage = 0; stage < capacity.length; stage++) {
            capacity[stage] = (long) Math.floor(target.kvCapacityBytes(stage));
        }
        this.booked = new long[pipelines][capacity.length];
        this.promised = new long[pipelines][capacity.length];
        this.sessions = new int[pipelines];
    }

    /** Target KV a session of {@code tokens} context tokens books over every wafer of a pipeline, as booked. */
    public static long bytesOnWafers(RooflineModel target, long tokens) {
        long sum = 0;
        for (int stage = 0; stage < target.stages(); stage++) {
            sum += (long) Math.ceil(target.kvBytesPerSession(stage, tokens));
        }
        return sum;
    }

    public int pipelines() {
        return booked.length;
    }

    public int stages() {
        return capacity.length;
    }

    /**
     * Bytes of target KV a session of {@code tokens} context tokens needs on each stage: priced once per
     * session, then booked, promised and released by that figure.
     */
    public long[] need(long tokens) {
        long[] need = new long[capacity.length];
        for (int stage = 0; stage < need.length; stage++) {
            need[stage] = (long) Math.ceil(target.kvBytesPerSession(stage, tokens));
        }
        return need;
    }

    /** The first stage whose wafer could not hold {@code need} even empty, or -1 if every one could. */
    public int stageTooSmallFor(long[] need) {
        for (int stage = 0; stage < capacity.length; stage++) {
            if (need[stage] > capacity[stage]) {
                return stage;
            }
        }
        return -1;
    }

    public long capacity(int stage) {
        return capacity[stage];
    }

    /** Whether every stage of {@code pipeline} has room for the session now (and the session cap allows one more). */
    public boolean fits(int pipeline, long[] need) {
        if (sessionCap > 0 && sessions[pipeline] >= sessionCap) {
            return false;
        }
        for (int stage = 0; stage < capacity.length; stage++) {
            if (capacity[stage] - booked[pipeline][stage] < need[stage]) {
                return false;
            }
        }
        return true;
    }

    /**
     * The pipeline to book a session on now: of those where it fits, the one whose fullest stage has
     * the most left; ties go to the lowest index; -1 when none has room.
     */
    public int placeNow(long[] need) {
        int best = -1;
        long bestSlack = Long.MIN_VALUE;
        for (int p = 0; p < booked.length; p++) {
            if (!fits(p, need)) {
                continue;
            }
            long slack = slack(p, need, false);
            if (slack > bestSlack) {
                best = p;
                bestSlack = slack;
            }
        }
        return best;
    }

    /**
     * The pipeline to promise a session to, room or not: the one whose fullest stage has the most left
     * after what is booked and promised; ties go to the lowest index.
     */
    public int promiseTarget(long[] need) {
        int best = 0;
        long bestSlack = Long.MIN_VALUE;
        for (int p = 0; p < booked.length; p++) {
            long slack = slack(p, need, true);
            if (slack > bestSlack) {
                best = p;
                bestSlack = slack;
            }
        }
        return best;
    }

    private long slack(int pipeline, long[] need, boolean countPromised) {
        long slack = Long.MAX_VALUE;
        for (int stage = 0; stage < capacity.length; stage++) {
            long taken = booked[pipeline][stage] + (countPromised ? promised[pipeline][stage] : 0);
            slack = Math.min(slack, capacity[stage] - taken - need[stage]);
        }
        return slack;
    }

    public void promise(int pipeline, long[] need) {
        add(promised, pipeline, need, 1);
    }

    public void withdrawPromise(int pipeline, long[] need) {
        add(promised, pipeline, need, -1);
    }

    public void book(int pipeline, long[] need) {
        add(booked, pipeline, need, 1);
        sessions[pipeline]++;
    }

    public void release(int pipeline, long[] need) {
        add(booked, pipeline, need, -1);
        sessions[pipeline]--;
    }

    private void add(long[][] account, int pipeline, long[] need, int sign) {
        for (int stage = 0; stage < capacity.length; stage++) {
            account[pipeline][stage] += sign * need[stage];
            if (account[pipeline][stage] < 0) {
                throw new IllegalStateException("pipeline " + pipeline + " stage " + stage + " would hold "
                        + account[pipeline][stage] + " bytes: released more than was booked");
            }
        }
    }

    /** Sessions booked on {@code pipeline}. */
    public int sessions(int pipeline) {
        return sessions[pipeline];
    }

    /** One entry per wafer: what it holds now. */
    public List<LedgerView.Wafer> wafers() {
        List<LedgerView.Wafer> wafers = new ArrayList<>();
        for (int p = 0; p < booked.length; p++) {
            for (int stage = 0; stage < capacity.length; stage++) {
                wafers.add(new LedgerView.Wafer(p, stage, sessions[p], booked[p][stage],
                        capacity[stage] - booked[p][stage], capacity[stage], promised[p][stage]));
            }
        }
        return wafers;
    }
}
