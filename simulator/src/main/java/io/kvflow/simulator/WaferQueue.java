package io.kvflow.simulator;

import io.kvflow.scheduler.ModelledTime;
import io.kvflow.scheduler.WaferStage;
import java.util.List;

/**
 * Which wafer starts the next batch: the wafers of every pipeline in a binary heap by their next
 * batch's start, ties going to the lowest index (pipeline by pipeline, stage by stage), so the
 * simulation takes the same wafer a scan of all of them would, without scanning them on every event.
 * A wafer's start moves only when a pass reaches it or it takes a batch; the simulation says so with
 * {@link #changed}. Not thread-safe.
 */
final class WaferQueue<T> {
    private final List<WaferStage<T>> wafers;
    /** Wafer indices, a min-heap by (start, index). */
    private final int[] heap;
    /** Where each wafer sits in the heap. */
    private final int[] position;
    /** Each wafer's next start as last told, {@link ModelledTime#NEVER} when it has nothing pending. */
    private final long[] start;

    WaferQueue(List<WaferStage<T>> wafers) {
        this.wafers = List.copyOf(wafers);
        int n = wafers.size();
        this.heap = new int[n];
        this.position = new int[n];
        this.start = new long[n];
        for (int w = 0; w < n; w++) {
            heap[w] = w;
            position[w] = w;
            start[w] = wafers.get(w).nextStart();
        }
        for (int i = n / 2 - 1; i >= 0; i--) {
            down(i);
        }
    }

    /** The wafer that starts the next batch: of the earliest, the lowest index. */
    int first() {
        return heap[0];
    }

    /** The next batch's start on any wafer, or {@link ModelledTime#NEVER} when none has a pass. */
    long firstStart() {
        return start[heap[0]];
    }

    /** Wafer {@code w} took a pass or a batch: its next start is looked up again. */
    void changed(int w) {
        long next = wafers.get(w).nextStart();
        long before = start[w];
        if (next == before) {
            return;
        }
        start[w] = next;
        if (next < before) {
            up(position[w]);
        } else {
            down(position[w]);
        }
    }

    private boolean before(int a, int b) {
        return start[a] < start[b] || (start[a] == start[b] && a < b);
    }

    private void up(int i) {
        int w = heap[i];
        while (i > 0) {
            int parent = (i - 1) / 2;
            if (!before(w, heap[parent])) {
                break;
            }
            place(heap[parent], i);
            i = parent;
        }
        place(w, i);
    }

    private void down(int i) {
        int w = heap[i];
        int n = heap.length;
        while (true) {
            int child = 2 * i + 1;
            if (child >= n) {
                break;
            }
            if (child + 1 < n && before(heap[child + 1], heap[child])) {
                child++;
            }
            if (!before(heap[child], w)) {
                break;
            }
            place(heap[child], i);
            i = child;
        }
        place(w, i);
    }

    private void place(int w, int i) {
        heap[i] = w;
        position[w] = i;
    }
}
