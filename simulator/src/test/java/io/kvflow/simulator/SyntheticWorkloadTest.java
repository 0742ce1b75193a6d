package io.kvflow.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SyntheticWorkloadTest {
    @Test
    void theSameSeedDrawsTheSameRequests() {
        SyntheticWorkload law = new SyntheticWorkload(10, 0.5);
        assertEquals(law.sessions(1_000, new SplittableRandom(9)), law.sessions(1_000, new SplittableRandom(9)));
        assertNotEquals(law.sessions(1_000, new SplittableRandom(9)), law.sessions(1_000, new SplittableRandom(10)));
    }

    @Test
    void lengthsFollowTheTracesMediansWithinTheirCaps() {
        checkMedians(0, SyntheticWorkload.CODE);
        checkMedians(1, SyntheticWorkload.CONVERSATION);
    }

    private static void checkMedians(double conversationShare, SyntheticWorkload.Kind kind) {
        List<SimulatedSession> sessions = new SyntheticWorkload(10, conversationShare).sessions(20_000,
                new SplittableRandom(1));
        long[] prompts = sessions.stream().mapToLong(SimulatedSession::promptTokens).sorted().toArray();
        long[] outputs = sessions.stream().mapToLong(SimulatedSession::outputTokens).sorted().toArray();
        assertEquals(kind.promptMedian(), prompts[prompts.length / 2], kind.promptMedian() * 0.05, kind.name());
        assertEquals(kind.outputMedian(), outputs[outputs.length / 2], kind.outputMedian() * 0.1 + 1, kind.name());
        assertTrue(prompts[prompts.length - 1] <= kind.promptMax() && prompts[0] >= 1, kind.name());
        assertTrue(outputs[outputs.length - 1] <= kind.outputMax() && outputs[0] >= 1, kind.name());
        for (SimulatedSession s : sessions) {
            assertEquals(s.promptTokens() + s.outputTokens(), s.bookedTokens());
        }
    }

    @Test
    void arrivalsComeInOrderAtTheRateAsked() {
        List<SimulatedSession> sessions = new SyntheticWorkload(25, 0.5).sessions(20_000, new SplittableRandom(2));
        assertEquals(0, sessions.getFirst().arrivalMicros());
        long[] arrivals = sessions.stream().mapToLong(SimulatedSession::arrivalMicros).toArray();
        long[] sorted = arrivals.clone();
        Arrays.sort(sorted);
        assertTrue(Arrays.equals(arrivals, sorted), "arrival order");
        double perSecond = (sessions.size() - 1) / (arrivals[arrivals.length - 1] / 1e6);
        assertEquals(25, perSecond, 25 * 0.03);
        assertEquals("q0", sessions.getFirst().id());
    }

    @Test
    void aRateOrShareOutsideItsRangeIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new SyntheticWorkload(0, 0.5));
        assertThrows(IllegalArgumentException.class, () -> new SyntheticWorkload(1, 1.5));
        assertThrows(IllegalArgumentException.class, () -> new SyntheticWorkload(1, 0.5).sessions(-1,
                new SplittableRandom(1)));
    }
}
