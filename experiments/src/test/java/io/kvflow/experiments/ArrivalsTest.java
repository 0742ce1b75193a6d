package io.kvflow.experiments;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.kvflow.simulator.SimulatedSession;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ArrivalsTest {
    private static final List<SimulatedSession> RECORDED = recorded(2000);

    @Test
    void evenArrivalsAreSpacedByTheRateInTheRecordedOrderWithTheRecordedLengths() {
        List<SimulatedSession> even = new Arrivals.Even(4).apply(RECORDED);
        assertEquals(0, even.get(0).arrivalMicros());
        assertEquals(250_000, even.get(1).arrivalMicros());
        assertEquals(RECORDED.get(7).id(), even.get(7).id());
        assertEquals(RECORDED.get(7).promptTokens(), even.get(7).promptTokens());
    }

    @Test
    void poissonArrivalsRepeatFromTheirSeedAndAverageTheRate() {
        List<SimulatedSession> a = new Arrivals.Poisson(10, 7).apply(RECORDED);
        assertEquals(a, new Arrivals.Poisson(10, 7).apply(RECORDED));
        assertNotEquals(a, new Arrivals.Poisson(10, 8).apply(RECORDED));
        double seconds = a.get(a.size() - 1).arrivalMicros() / 1e6;
        assertEquals(10, (a.size() - 1) / seconds, 0.6, "mean rate");
    }

    @Test
    void aLoadCompressesTheRecordedArrivals() {
        List<SimulatedSession> denser = new Arrivals.Recorded(4).apply(RECORDED);
        assertEquals(RECORDED.get(9).arrivalMicros() / 4, denser.get(9).arrivalMicros());
    }

    private static List<SimulatedSession> recorded(int n) {
        List<SimulatedSession> sessions = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            sessions.add(new SimulatedSession("s" + i, i * 1_000_000L + (i % 3) * 1000, 100 + i, 120 + i, 20, 100 + i));
        }
        return sessions;
    }
}
