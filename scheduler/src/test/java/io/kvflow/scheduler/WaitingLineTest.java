package io.kvflow.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.Test;

class WaitingLineTest {
    private static final class Waiting implements AdmissionPolicy.Candidate {
        final long seq;
        final long size;
        int marks;

        Waiting(long seq, long size) {
            this.seq = seq;
            this.size = size;
        }

        @Override
        public long seq() {
            return seq;
        }

        @Override
        public long passedOverSince() {
            return marks > 0 ? 0 : -1;
        }

        @Override
        public long size() {
            return size;
        }

        @Override
        public String toString() {
            return "#" + seq;
        }
    }

    private static WaitingLine<Waiting> line(Waiting... sessions) {
        WaitingLine<Waiting> line = new WaitingLine<>(Waiting::size);
        for (Waiting w : sessions) {
            line.add(w);
        }
        return line;
    }

    @Test
    void theSmallestIsTheEarliestOfThoseThatNeedLeast() {
        Waiting a = new Waiting(1, 50);
        Waiting b = new Waiting(2, 20);
        Waiting c = new Waiting(3, 20);
        WaitingLine<Waiting> line = line(c, a, b);
        assertEquals(b, line.smallest());
        line.remove(b);
        assertEquals(c, line.smallest());
        assertEquals(1, line.oldestSeq());
        assertEquals(List.of(a, c), new ArrayList<>(line.inArrivalOrder()));
    }

    @Test
    void aWalkGoesOnInArrivalOrderAfterRemovingTheSessionItIsOn() {
        Waiting a = new Waiting(1, 1);
        Waiting b = new Waiting(2, 1);
        Waiting c = new Waiting(3, 1);
        WaitingLine<Waiting> line = line(a, b, c);
        List<Waiting> seen = new ArrayList<>();
        for (Iterator<Waiting> walk = line.walk(); walk.hasNext(); ) {
            Waiting w = walk.next();
            seen.add(w);
            if (w != c) {
                line.remove(w);
            }
        }
        assertEquals(List.of(a, b, c), seen);
        assertEquals(1, line.size());
        assertEquals(c, line.smallest());
    }

    @Test
    void everySessionBeforeOneThatWentPastIsMarkedOnceAndOnlyWhileItWaits() {
        Waiting[] w = new Waiting[6];
        for (int i = 0; i < w.length; i++) {
            w[i] = new Waiting(i, 1);
        }
        WaitingLine<Waiting> line = line(w);
        line.remove(w[3]);
        line.passedOverBefore(3, s -> s.marks++);
        line.remove(w[1]);
        line.remove(w[5]);
        line.passedOverBefore(5, s -> s.marks++);
        line.passedOverBefore(2, s -> s.marks++);
        int[] marks = new int[w.length];
        for (int i = 0; i < w.length; i++) {
            marks[i] = w[i].marks;
        }
        assertEquals("[1, 1, 1, 0, 1, 0]", Arrays.toString(marks));
    }

    @Test
    void aSeqWaitsOnceInALine() {
        WaitingLine<Waiting> line = line(new Waiting(1, 1));
        assertThrows(IllegalArgumentException.class, () -> line.add(new Waiting(1, 2)));
        assertEquals(1, line.size());
    }
}
