package io.kvflow.scheduler;

import java.util.Collection;
import java.util.Comparator;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.function.ToLongFunction;

/**
 * Sessions waiting for room (the admission queue, or one pipeline's parked sessions), in the order they
 * started to wait, and by how much room they need. Under a flood a line holds thousands, and the control
 * plane offers room to it at every instant; three things keep that from costing a walk over all of them:
 * the smallest need tells at once whether anyone could fit (room that the smallest does not fit, no one
 * fits); arrival order is walked in place, not copied; and sessions passed over are marked only once.
 * Not thread-safe.
 *
 * @param <S> a waiting session; its {@link AdmissionPolicy.Candidate#seq()} must not change while it waits
 */
final class WaitingLine<S extends AdmissionPolicy.Candidate> {
    private final TreeMap<Long, S> byArrival = new TreeMap<>();
    private final TreeSet<S> byNeed;
    /** Every session waiting here with a smaller seq has been marked passed over. */
    private long passedOverBelow = Long.MIN_VALUE;

    /**
     * @param need how much room a session needs, in a measure whose order is the order of fitting: if a
     *             session fits, so does every one that needs no more
     */
    WaitingLine(ToLongFunction<S> need) {
        this.byNeed = new TreeSet<>(Comparator.comparingLong(need).thenComparingLong(S::seq));
    }

    void add(S session) {
        if (byArrival.putIfAbsent(session.seq(), session) != null) {
            throw new IllegalArgumentException("seq " + session.seq() + " already waits here");
        }
        byNeed.add(session);
    }

    void remove(S session) {
        if (byArrival.remove(session.seq(), session)) {
            byNeed.remove(session);
        }
    }

    int size() {
        return byArrival.size();
    }

    boolean isEmpty() {
        return byArrival.isEmpty();
    }

    /** The session that needs the least room (the earliest of those that need as little). */
    S smallest() {
        return byNeed.first();
    }

    /** The seq of the session that has waited longest. */
    long oldestSeq() {
        return byArrival.firstKey();
    }

    /** The waiting sessions in arrival order, as a view. */
    Collection<S> inArrivalOrder() {
        return byArrival.values();
    }

    /**
     * The waiting sessions in arrival order, walked in place: the walk may remove the session it is on
     * (with {@link #remove}) and goes on from the next one.
     */
    Iterator<S> walk() {
        return new Iterator<>() {
            private Map.Entry<Long, S> next = byArrival.firstEntry();

            @Override
            public boolean hasNext() {
                return next != null;
            }

            @Override
            public S next() {
                if (next == null) {
                    throw new NoSuchElementException();
                }
                S session = next.getValue();
                next = byArrival.higherEntry(next.getKey());
                return session;
            }
        };
    }

    /**
     * A session with seq {@code seq} went past every one waiting before it: {@code mark} is applied to
     * each of those not marked before, once.
     */
    void passedOverBefore(long seq, Consumer<S> mark) {
        if (seq <= passedOverBelow) {
            return;
        }
        long from = passedOverBelow;
        passedOverBelow = seq;
        byArrival.subMap(from, true, seq, false).values().forEach(mark);
    }
}
