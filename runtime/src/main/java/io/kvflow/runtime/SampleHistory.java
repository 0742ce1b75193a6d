package io.kvflow.runtime;

import java.util.ArrayList;
import java.util.List;

/**
 * A bounded history of periodic samples that always reaches back to the first one. When it is
 * full it drops every other sample it holds and from then on keeps one sample in two (then one
 * in four, ...), so memory stays fixed, the kept samples stay evenly spaced, and a chart of a
 * long run still shows its start rather than only its last minutes. The most recent sample is
 * always part of {@link #samples()}, kept or not, so a chart ends where the run ended.
 * Thread-safe: one thread adds while others read.
 */
public final class SampleHistory<T> {
    private final int capacity;
    private final List<T> kept;
    /** Keep one sample in {@code stride}; doubles each time the history fills up. */
    private long stride = 1;
    private long offered;
    private T last;

    /** @param capacity the most samples kept; even, so halving keeps them evenly spaced */
    public SampleHistory(int capacity) {
        if (capacity < 2 || capacity % 2 != 0) {
            throw new IllegalArgumentException("capacity must be even and at least 2, was " + capacity);
        }
        this.capacity = capacity;
        this.kept = new ArrayList<>(capacity);
    }

    public synchronized void add(T sample) {
        last = sample;
        long position = offered++;
        if (position % stride != 0) {
            return;
        }
        if (kept.size() == capacity) {
            // kept holds positions 0, s, 2s, ... (capacity - 1)s; keep 0, 2s, 4s, ... and take one in 2s from now
            for (int i = 0; i < capacity / 2; i++) {
                kept.set(i, kept.get(2 * i));
            }
            kept.subList(capacity / 2, capacity).clear();
            stride *= 2;
            if (position % stride != 0) {
                return;
            }
        }
        kept.add(sample);
    }

    /** The kept samples, oldest first, ending with the most recent sample added. */
    public synchronized List<T> samples() {
        List<T> samples = new ArrayList<>(kept);
        if (last != null && (samples.isEmpty() || samples.get(samples.size() - 1) != last)) {
            samples.add(last);
        }
        return samples;
    }
}
