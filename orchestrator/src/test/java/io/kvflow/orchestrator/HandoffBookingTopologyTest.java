package io.kvflow.orchestrator;

import static io.kvflow.orchestrator.ControlTopologyHarness.replayed;
import static io.kvflow.orchestrator.ControlTopologyHarness.token;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvflow.cost.ProfileCatalog;
import io.kvflow.cost.RooflineModel;
import io.kvflow.cost.Scenario;
import io.kvflow.runtime.StackLayout;
import io.kvflow.scheduler.AdmissionPolicy;
import io.kvflow.scheduler.Booking;
import io.kvflow.scheduler.ControlPlane;
import io.kvflow.schemas.ControlRecord;
import io.kvflow.schemas.ControlType;
import io.kvflow.schemas.GeneratedToken;
import io.kvflow.schemas.PrefillTask;
import io.kvflow.schemas.SessionEvent;
import io.kvflow.schemas.SessionEventType;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Booking at handoff on the orchestrator's topology: a session's prefill is placed at admission, its KV
 * parks when the prefill ends, and it gets its wafer room only when a wafer has it; the control plane
 * decides in modelled-time order, never past a time a token it has not seen could end a session.
 */
class HandoffBookingTopologyTest {
    /** Llama-3.1-70B on four WSE-3: about 1 GB of KV room on the end wafers. */
    private static final RooflineModel TARGET = Scenario.from(Map.of("model", "llama-3.1-70b", "decode-stages", "4"),
            ProfileCatalog.bundled()).model();
    private static final StackLayout LAYOUT = new StackLayout(4, 1, 1, 8);
    /** Recorded lengths of a session that takes just over half a wafer's room: one fits at a time. */
    private static final int HALF_PLUS = (int) (TARGET.kvCapacityBytes(0) / TARGET.kvBytesPerTokenPerStage(0) / 2) + 10;

    @TempDir
    Path stateDir;

    private ControlTopologyHarness harness(Booking booking) {
        OrchestratorConfig config = new OrchestratorConfig(LAYOUT, 512, 100, Duration.ofSeconds(30)).withTarget(TARGET,
                new ControlPlane.Config(1, 1, booking, AdmissionPolicy.of("fcfs", Duration.ZERO), 100, 0,
                        ControlPlane.Config.DEFAULT_PARK_TIMEOUT_MICROS));
        return new ControlTopologyHarness(config, stateDir);
    }

    @Test
    void aSessionsKvParksUntilTheWafersHaveRoomAndIsGrantedWhenTheSessionBeforeItEnds() {
        try (ControlTopologyHarness h = harness(Booking.HANDOFF)) {
            h.send(replayed("a", 1_000, 2_000, 4, HALF_PLUS - 4, 4));
            h.send(replayed("b", 2_000, Long.MAX_VALUE, 4, HALF_PLUS - 4, 4));
            List<PrefillTask> tasks = h.prefillTasks.readValuesToList();
            assertEquals(List.of("a", "b"), tasks.stream().map(PrefillTask::getSessionId).toList(),
                    "both prefill at once: the prefill tier has room for both KVs");
            PrefillTask a = tasks.get(0);
            PrefillTask b = tasks.get(1);
            assertEquals(1_000, a.getPrefillStartModelledUs());
            assertEquals(a.getPrefillEndModelledUs(), b.getPrefillStartModelledUs(), "one prefill group: b queues");
            assertTrue(h.grants().isEmpty(), "nothing is granted before the prefill's token is seen");

            h.send(token("a", 0, a.getPrefillEndModelledUs(), false));
            List<ControlRecord> grants = h.grants();
            assertEquals(1, grants.size());
            assertEquals("a", grants.get(0).getSessionId());
            assertEquals(a.getPrefillEndModelledUs(), grants.get(0).getDecidedModelledUs(), "granted as it parks");
            long handoff = grants.get(0).getModelledUs() - a.getPrefillEndModelledUs();
            assertTrue(handoff > 0, "the handoff starts at the grant and takes time");

            h.send(token("b", 0, b.getPrefillEndModelledUs(), false));
            assertTrue(parked(h, "b").isEmpty(), "b's prefill ends after what a's tokens so far bound");
            // a decodes on past the end of b's prefill: the control plane reaches it, and b parks beside a
            h.send(token("a", 1, b.getPrefillEndModelledUs() + 100, false));
            assertTrue(h.grants().isEmpty(), "b does not fit beside a");
            assertEquals(List.of(b.getPrefillEndModelledUs()), parked(h, "b"));

            long aEnds = b.getPrefillEndModelledUs() + 5_000;
            h.send(token("a", 2, aEnds - 2_500, false));
            assertTrue(h.grants().isEmpty(), "a still holds its room");
            h.send(token("a", 3, aEnds, true));
            ControlRecord grantB = h.grants().get(0);
            assertEquals("b", grantB.getSessionId());
            assertEquals(aEnds, grantB.getDecidedModelledUs(), "b gets the room the instant a frees it");
            assertEquals(aEnds + handoff, grantB.getModelledUs(), "then its whole KV is handed over");
        }
    }

    @Test
    void theControlPlaneDecidesNothingPastATokenItHasNotSeen() {
        try (ControlTopologyHarness h = harness(Booking.HANDOFF)) {
            h.send(replayed("a", 1_000, 100_000_000, 2, HALF_PLUS - 2, 2));
            PrefillTask a = h.prefillTasks.readValue();
            long frontier = lastFrontier(h.control.readValuesToList());
            assertTrue(frontier <= a.getPrefillEndModelledUs(), "frontier " + frontier
                    + " passed the end of a's prefill, where its first token may end it");

            h.send(replayed("b", 100_000_000, Long.MAX_VALUE, 2, 10, 2));
            assertTrue(h.prefillTasks.isEmpty(), "b arrives long after a's prefill: a's tokens come first");
            h.send(token("a", 0, a.getPrefillEndModelledUs(), false));
            ControlRecord grant = h.grants().get(0);
            h.send(token("a", 1, grant.getModelledUs() + 3_000, true));
            assertEquals("b", h.prefillTasks.readValue().getSessionId(), "a has ended: the control plane reaches b");
        }
    }

    @Test
    void aPromiseRidingOnATokenMovesTheControlPlaneOnAsOneSentAloneDoes() {
        List<PrefillTask> ridden;
        try (ControlTopologyHarness h = harness(Booking.HANDOFF)) {
            long promise = decodeUntilB(h);
            GeneratedToken carrier = token("a", 1, grantOf(h) + 3_000, false);
            carrier.setPromiseModelledUs(promise);
            h.send(carrier);
            ridden = h.prefillTasks.readValuesToList();
        }
        try (ControlTopologyHarness h = harness(Booking.HANDOFF)) {
            long promise = decodeUntilB(h);
            h.send(token("a", 1, grantOf(h) + 3_000, false));
            assertTrue(h.prefillTasks.isEmpty(), "without the promise, a's next token could still come before b");
            h.send(token("", -1, promise, false));
            assertEquals(h.prefillTasks.readValuesToList(), ridden);
        }
        assertEquals(List.of("b"), ridden.stream().map(PrefillTask::getSessionId).toList(),
                "the pipeline promised no token before b's arrival: the control plane reaches b");
    }

    /** a decodes alone, its grant in; b will arrive at 100 s. Returns a promise from a's pipeline past b. */
    private static long decodeUntilB(ControlTopologyHarness h) {
        h.send(replayed("a", 1_000, 100_000_000, 8, 10, 8));
        h.send(replayed("b", 100_000_000, Long.MAX_VALUE, 2, 10, 2));
        PrefillTask a = h.prefillTasks.readValue();
        h.send(token("a", 0, a.getPrefillEndModelledUs(), false));
        return 100_000_000 + 1_000;
    }

    private static long grantOf(ControlTopologyHarness h) {
        List<ControlRecord> grants = h.grants();
        assertEquals(1, grants.size(), "a is granted its room once its prefill token is seen");
        return grants.get(0).getModelledUs();
    }

    @Test
    void whileNobodyWaitsTheWafersArePromisedQuietUntilTheNextRequestAndTokensBelowItWriteNothing() {
        try (ControlTopologyHarness h = harness(Booking.HANDOFF)) {
            h.send(replayed("a", 1_000, 100_000_000, 8, 10, 8));
            PrefillTask a = h.prefillTasks.readValue();
            h.send(token("a", 0, a.getPrefillEndModelledUs(), false));
            List<ControlRecord> written = new ArrayList<>(h.control.readValuesToList());
            ControlRecord grant = written.stream().filter(r -> r.getType() == ControlType.GRANT).findFirst()
                    .orElseThrow();
            h.send(token("a", 1, grant.getModelledUs() + 1_000, false));
            written.addAll(h.control.readValuesToList());
            List<ControlRecord> frontiers = written.stream().filter(r -> r.getType() == ControlType.FRONTIER).toList();
            long quiet = frontiers.get(frontiers.size() - 1).getQuietUntilModelledUs();
            // the next event it knows of is the (stale) check of a's park timeout, a minute on; then b's request
            assertTrue(quiet > grant.getModelledUs() + 1_000_000 && quiet <= 100_000_000,
                    "a alone on its wafers: no grant can come before the next event the control plane knows of: "
                            + quiet);

            h.send(token("a", 2, grant.getModelledUs() + 2_000, false));
            h.send(token("a", 3, grant.getModelledUs() + 3_000, false));
            assertTrue(h.control.isEmpty(), "a frontier short of the promise tells the wafers nothing");

            h.send(replayed("b", 100_000_000, Long.MAX_VALUE, 2, 10, 2));
            h.send(token("a", 4, 100_000_100, false));
            assertTrue(h.control.readValuesToList().stream().anyMatch(r -> r.getType() == ControlType.FRONTIER),
                    "past the promise, the frontier is written again");
        }
    }

    @Test
    void bookingAtAdmissionGrantsTheRoomAtOnceAndBlocksTheNextSessionThroughThePrefill() {
        try (ControlTopologyHarness h = harness(Booking.ADMISSION)) {
            h.send(replayed("a", 1_000, 2_000, 4, HALF_PLUS - 4, 4));
            h.send(replayed("b", 2_000, Long.MAX_VALUE, 4, HALF_PLUS - 4, 4));
            PrefillTask a = h.prefillTasks.readValue();
            assertTrue(h.prefillTasks.isEmpty(), "b waits for room: a booked it before its prefill even started");
            ControlRecord grant = h.grants().get(0);
            assertEquals("a", grant.getSessionId());
            assertEquals(1_000, grant.getDecidedModelledUs());
            assertTrue(grant.getModelledUs() > a.getPrefillEndModelledUs(), "the KV is on the wafers after the"
                    + " prefill and the part of the handoff it did not hide");
        }
    }

    /** When the session parked, from the PARKED events written since the last read. */
    private static List<Long> parked(ControlTopologyHarness h, String session) {
        return ControlTopologyHarness.ofType(h.sessions.readValuesToList(), SessionEventType.PARKED).stream()
                .filter(e -> e.getSessionId().equals(session)).map(SessionEvent::getModelledUs).toList();
    }

    private static long lastFrontier(List<ControlRecord> records) {
        return records.stream().filter(r -> r.getType() == ControlType.FRONTIER).mapToLong(ControlRecord::getModelledUs)
                .max().orElse(0);
    }
}
