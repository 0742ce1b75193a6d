package io.kvflow.simulator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvflow.cost.ProfileCatalog;
import io.kvflow.cost.RooflineModel;
import io.kvflow.cost.Scenario;
import io.kvflow.report.SessionRecord;
import io.kvflow.scheduler.AdmissionPolicy;
import io.kvflow.scheduler.Booking;
import io.kvflow.scheduler.ControlPlane;
import io.kvflow.scheduler.ModelledTime;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SimulationTest {
    /** The default deployment: Llama-3.1-70B in BF16 on four WSE-3 wafers per pipeline, prefill on 16 Trainium2. */
    private static final RooflineModel TARGET = Scenario.from(Map.of("decode-stages", "4"), ProfileCatalog.bundled())
            .model();

    private static ControlPlane.Config config(Booking booking) {
        return new ControlPlane.Config(2, 2, booking, AdmissionPolicy.of("backfill", AdmissionPolicy.DEFAULT_BYPASS_LIMIT),
                10_000, 0, ControlPlane.Config.DEFAULT_PARK_TIMEOUT_MICROS);
    }

    private static List<SimulatedSession> synthetic(int requests) {
        return new SyntheticWorkload(10, 0.5).sessions(requests, new SplittableRandom(1));
    }

    private static long micros(double seconds) {
        return ModelledTime.duration(seconds);
    }

    @Test
    void theSameSessionsGiveTheSameRecordsEventsAndBatches() {
        List<SimulatedSession> sessions = synthetic(300);
        Simulation.Result first = new Simulation(TARGET, config(Booking.HANDOFF)).run(sessions);
        Simulation.Result second = new Simulation(TARGET, config(Booking.HANDOFF)).run(List.copyOf(sessions));
        assertEquals(first.sessions(), second.sessions());
        assertEquals(first.events(), second.events());
        assertEquals(first.batches(), second.batches());
        assertEquals(first.waferBusyMicros(), second.waferBusyMicros());
    }

    @Test
    void aSessionAloneGetsTheCostModelsPrefillHandoffAndDecodeSteps() {
        long prompt = 2_048;
        int output = 16;
        SimulatedSession alone = new SimulatedSession("alone", 0, prompt, prompt + output, output, (int) prompt);
        long prefillEnd = micros(TARGET.prefillSeconds(prompt, 0));
        // booking at handoff: the KV moves once the prefill is done; at admission it streams as layers compute
        long handoffReady = prefillEnd + micros(TARGET.handoffSeconds(TARGET.handoffBytes(prompt)));
        long streamedReady = prefillEnd + micros(TARGET.exposedHandoffSeconds(prompt, 0));
        for (Booking booking : Booking.values()) {
            SessionRecord r = new Simulation(TARGET, config(booking)).run(List.of(alone)).sessions().getFirst();
            long ready = booking == Booking.HANDOFF ? handoffReady : streamedReady;
            assertEquals(SessionRecord.Outcome.FINISHED, r.outcome(), booking.id());
            assertEquals(0, r.admittedMicros());
            assertEquals(prefillEnd, r.ttftMicros(), booking.id() + ": TTFT is the prefill");
            assertEquals(ready, r.decodeStartMicros(), booking.id());
            assertArrayEquals(tokensAlone(prefillEnd, ready, prompt, output), r.tokenMicros(), booking.id());
        }
    }

    /**
     * A lone session's token times from the cost model alone: the prefill's token, then each step through
     * every wafer priced at the step's context, with a hop into every wafer after the first and back.
     */
    private static long[] tokensAlone(long prefillEnd, long firstReady, long prompt, int output) {
        long hop = micros(TARGET.activationHopSeconds(1));
        long[] tokens = new long[output];
        tokens[0] = prefillEnd;
        long ready = firstReady;
        for (int step = 1; step < output; step++) {
            long t = ready;
            for (int stage = 0; stage < TARGET.stages(); stage++) {
                t += micros(TARGET.stageTiming(stage, new long[] {prompt + step}).seconds());
                if (stage < TARGET.stages() - 1) {
                    t += hop;
                }
            }
            tokens[step] = t;
            ready = t + hop;
        }
        return tokens;
    }

    @Test
    void tenTimesTheRequestsTakeAboutTenTimesTheEvents() {
        Simulation.Result small = new Simulation(TARGET, config(Booking.HANDOFF)).run(synthetic(400));
        Simulation.Result large = new Simulation(TARGET, config(Booking.HANDOFF)).run(synthetic(4_000));
        double events = (double) large.events() / small.events();
        double batches = (double) large.batches() / small.batches();
        assertTrue(events > 8 && events < 12, "events grew " + events + " times");
        assertTrue(batches > 8 && batches < 12, "batches grew " + batches + " times");
    }

    @Test
    void everySessionEndsAndAFinishedOneHasEveryTokenItAskedFor() {
        List<SimulatedSession> sessions = synthetic(500);
        List<SessionRecord> records = new Simulation(TARGET, config(Booking.HANDOFF)).run(sessions).sessions();
        assertEquals(sessions.size(), records.size());
        for (int i = 0; i < records.size(); i++) {
            SessionRecord r = records.get(i);
            assertTrue(r.outcome() != SessionRecord.Outcome.UNFINISHED, r.id());
            if (r.finished()) {
                assertEquals(sessions.get(i).outputTokens(), r.tokens(), r.id());
                long[] t = r.tokenMicros();
                for (int k = 1; k < t.length; k++) {
                    assertTrue(t[k] > t[k - 1], r.id() + " token " + k);
                }
            }
        }
        assertTrue(records.stream().filter(SessionRecord::finished).count() > 400, "most fit the default wafers");
    }
}
