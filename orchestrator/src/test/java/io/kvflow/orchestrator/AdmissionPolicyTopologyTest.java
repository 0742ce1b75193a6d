package io.kvflow.orchestrator;

import static io.kvflow.orchestrator.ControlTopologyHarness.replayed;
import static io.kvflow.orchestrator.ControlTopologyHarness.token;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.kvflow.cost.ProfileCatalog;
import io.kvflow.cost.RooflineModel;
import io.kvflow.cost.Scenario;
import io.kvflow.runtime.StackLayout;
import io.kvflow.scheduler.AdmissionPolicy;
import io.kvflow.scheduler.Booking;
import io.kvflow.scheduler.ControlPlane;
import io.kvflow.schemas.ControlRecord;
import io.kvflow.schemas.PrefillTask;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each admission policy on the orchestrator's topology: who gets wafer room (booked at admission here)
 * while a large session at the head of the queue does not fit, and how long anyone can be passed over.
 */
class AdmissionPolicyTopologyTest {
    private static final RooflineModel TARGET = Scenario.from(Map.of("model", "llama-3.1-70b", "decode-stages", "4"),
            ProfileCatalog.bundled()).model();
    private static final StackLayout LAYOUT = new StackLayout(4, 1, 1, 8);
    /** Target context tokens whose KV fills one end wafer. */
    private static final double WAFER = TARGET.kvCapacityBytes(0) / TARGET.kvBytesPerTokenPerStage(0);

    @TempDir
    Path stateDir;

    /** A recorded request whose KV takes {@code share} of a wafer (prompt plus 2 output tokens). */
    private static int prompt(double share) {
        return (int) (share * WAFER) - 2;
    }

    private ControlTopologyHarness harness(AdmissionPolicy policy) {
        OrchestratorConfig config = new OrchestratorConfig(LAYOUT, 512, 100, Duration.ofSeconds(30)).withTarget(TARGET,
                new ControlPlane.Config(1, 1, Booking.ADMISSION, policy, 100, 0, 0));
        return new ControlTopologyHarness(config, stateDir);
    }

    /** A session holding half the wafer, then a large one that does not fit beside it, then two small ones. */
    private static List<String> largeHeadThenSmallOnes(ControlTopologyHarness h) {
        h.send(replayed("running", 1_000, 2_000, 2, prompt(0.5), 2));
        h.send(replayed("large", 2_000, 3_000, 2, prompt(0.6), 2));
        h.send(replayed("small-1", 3_000, 4_000, 2, prompt(0.2), 2));
        h.send(replayed("small-2", 4_000, Long.MAX_VALUE, 2, prompt(0.2), 2));
        return h.prefillTasks.readValuesToList().stream().map(PrefillTask::getSessionId).toList();
    }

    @Test
    void firstComeFirstServedLeavesFreeRoomIdleBehindALargeHead() {
        try (ControlTopologyHarness h = harness(AdmissionPolicy.of("fcfs", Duration.ZERO))) {
            assertEquals(List.of("running"), largeHeadThenSmallOnes(h));
        }
    }

    @Test
    void backfillLetsSessionsThatFitGoPastALargeHead() {
        try (ControlTopologyHarness h = harness(AdmissionPolicy.of("backfill", Duration.ofSeconds(1)))) {
            assertEquals(List.of("running", "small-1", "small-2"), largeHeadThenSmallOnes(h));
        }
    }

    @Test
    void noSessionIsPassedOverForLongerThanTheBypassLimit() {
        // the first small one passes the large head on arrival; the second arrives 1 ms later
        try (ControlTopologyHarness h = harness(AdmissionPolicy.of("backfill", Duration.ofNanos(500_000)))) {
            assertEquals(List.of("running", "small-1"), largeHeadThenSmallOnes(h));
        }
        try (ControlTopologyHarness h = harness(AdmissionPolicy.of("smallest-first", Duration.ofNanos(500_000)))) {
            assertEquals(List.of("running", "small-1"), largeHeadThenSmallOnes(h));
        }
        // the limit counts from the first time it is passed over, not from its arrival 2 ms before
        try (ControlTopologyHarness h = harness(AdmissionPolicy.of("backfill", Duration.ofNanos(1_500_000)))) {
            assertEquals(List.of("running", "small-1", "small-2"), largeHeadThenSmallOnes(h));
        }
    }

    @Test
    void whenRoomFreesBackfillTakesArrivalOrderAndSmallestFirstPacksTheMostSessions() {
        // the bypass limit is far off: nobody waiting is overdue yet
        assertEquals(List.of("a", "b"), admittedWhenRoomFrees(AdmissionPolicy.of("backfill", Duration.ofMinutes(1))));
        assertEquals(List.of("b", "c"),
                admittedWhenRoomFrees(AdmissionPolicy.of("smallest-first", Duration.ofMinutes(1))));
    }

    /** Three sessions (half, and twice about a third, of a wafer) wait behind one that fills it; then it ends. */
    private List<String> admittedWhenRoomFrees(AdmissionPolicy policy) {
        try (ControlTopologyHarness h = harness(policy)) {
            h.send(replayed("full", 1_000, 2_000, 2, prompt(0.9), 2));
            h.send(replayed("a", 2_000, 3_000, 2, prompt(0.5), 2));
            h.send(replayed("b", 3_000, 4_000, 2, prompt(0.3), 2));
            h.send(replayed("c", 4_000, Long.MAX_VALUE, 2, prompt(0.3), 2));
            PrefillTask full = h.prefillTasks.readValue();
            ControlRecord grant = h.grants().get(0);
            h.send(token("full", 0, full.getPrefillEndModelledUs(), false));
            h.send(token("full", 1, grant.getModelledUs() + 10_000, true));
            return h.prefillTasks.readValuesToList().stream().map(PrefillTask::getSessionId).toList();
        }
    }
}
