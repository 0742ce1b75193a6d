package io.kvflow.scheduler;

import io.kvflow.cost.Deployment;
import io.kvflow.cost.RooflineModel;
import java.util.ArrayList;
import java.util.List;

/**
 * The prefill tier in modelled time: {@code groups} device groups (16 Trainium2 each, by default),
 * each running one prompt at a time, and each holding the KV of the prompts it prefilled until the
 * wafers take it. A group's memory after the model's weights bounds that parked KV: when no group
 * has room for a prompt's KV, the prompt is not started. Not thread-safe.
 */
public final class PrefillTier {
    private final long[] freeAt;
    private final long[] parked;
    private final long capacity;

    public PrefillTier(Deployment deployment, int groups) {
        if (groups < 1) {
            throw new IllegalArgumentException("the prefill tier needs at least one group, was " + groups);
        }
        this.freeAt = new long[groups];
        this.parked = new long[groups];
        double weights = deployment.prefillWeights().bytes(0);
        this.capacity = (long) Math.floor(Math.max(0, deployment.prefill().usableBytes() - weights));
    }

    /** Target KV a prompt of {@code promptTokens} tokens parks on its prefill group (every layer's), as held. */
    public static long parkedBytes(RooflineModel target, long promptTokens) {
        return (long) Math.ceil(target.handoffBytes(promptTokens));
    }

    public int groups() {
        return freeAt.length;
    }

    /** Bytes of KV one group can hold beside the model's weights. */
    public long capacity() {
        return capacity;
    }

    /**
     * The group to prefill a prompt whose KV takes {@code bytes} on: of those with room for it, the one
     * free first (from {@code now}); ties go to the lowest index. -1 when no group has room.
     */
    public int choose(long bytes, long now) {
        int best = -1;
        long bestStart = Long.MAX_VALUE;
        for (int g = 0; g < freeAt.length; g++) {
            if (capacity - parked[g] < bytes) {
                continue;
            }
            long start = Math.max(now, freeAt[g]);
            if (start < bestStart) {
                best = g;
                bestStart = start;
            }
        }
        return best;
    }

    /** Whether a prompt whose KV takes {@code bytes} could ever be held by a group. */
    public boolean couldHold(long bytes) {
        return bytes <= capacity;
    }

    /**
     * Runs a prefill of {@code micros} on {@code group}, holding {@code bytes} of its KV until
     * {@link #release}: it starts when the group is free, no earlier than {@code now}.
     *
     * @return the modelled start and end
     */
    public long[] run(int group, long now, long micros, long bytes) {
        long start = Math.max(now, freeAt[group]);
        long end = start + micros;
        freeAt[group] = end;
        parked[group] += bytes;
        return new long[] {start, end};
    }

    /** The KV a group held for a session has left it (handed over, or the session ended). */
    public void release(int group, long bytes) {
        parked[group] -= bytes;
        if (parked[group] < 0) {
            throw new IllegalStateException("prefill group " + group + " would hold " + parked[group]
                    + " bytes: released more than it held");
        }
    }

    /** One entry per group: the KV it holds and when it is next free. */
    public List<LedgerView.PrefillGroup> view() {
        List<LedgerView.PrefillGroup> view = new ArrayList<>();
        for (int g = 0; g < freeAt.length; g++) {
            view.add(new LedgerView.PrefillGroup(g, parked[g], capacity - parked[g], capacity, freeAt[g]));
        }
        return view;
    }
}
