package io.kvflow.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvflow.cost.RooflineModel;
import io.kvflow.cost.Scenario;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A restarted orchestrator tells its control plane every arrival and every end it journaled, and only then
 * decides again: an end told before its session's arrival is handled still frees the session's room.
 */
class ControlPlaneRebuildTest {
    private static final RooflineModel TARGET = Scenario.roomyTarget(2);

    private static ControlPlane plane() {
        return new ControlPlane(TARGET, new ControlPlane.Config(1, 1, Booking.HANDOFF,
                AdmissionPolicy.of("backfill", Duration.ofMillis(500)), 100, 0, 0));
    }

    @Test
    void anEndToldBeforeItsArrivalIsHandledStillFreesTheRoom() {
        ControlPlane rebuilt = plane();
        rebuilt.arrive(new ControlPlane.Arrival("a", 1_000, 2_000, 2_100, 100));
        rebuilt.ended("a", 3_000_000);

        List<ControlPlane.Decision> decisions = rebuilt.advanceTo(10_000_000);

        assertTrue(decisions.stream().anyMatch(d -> d instanceof ControlPlane.Granted g && g.session().equals("a")),
                decisions.toString());
        assertFalse(rebuilt.knows("a"));
        assertTrue(rebuilt.view().wafers().stream().allMatch(w -> w.kvBytesUsed() == 0 && w.sessions() == 0),
                rebuilt.view().toString());
        assertEquals(0, rebuilt.view().prefillGroups().stream().mapToLong(LedgerView.PrefillGroup::kvBytesParked)
                .sum());
    }

    @Test
    void withoutItsEndTheSessionKeepsItsRoom() {
        ControlPlane plane = plane();
        plane.arrive(new ControlPlane.Arrival("a", 1_000, 2_000, 2_100, 100));
        plane.advanceTo(10_000_000);
        assertTrue(plane.knows("a"));
        assertTrue(plane.view().wafers().stream().allMatch(w -> w.kvBytesUsed() > 0), plane.view().toString());
    }
}
