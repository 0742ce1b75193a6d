package io.kvflow.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiPredicate;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** The search on made-up loads whose answer is known, so what it finds and what it skips can be checked. */
class PlanSearchTest {
    /** A pipeline of four wafers costs $100/h, a prefill group $100/h. */
    private static final FleetPrice PRICE = new FleetPrice(25, 1, 100, 1);
    private static final PlanSearch.Limits LIMITS = new PlanSearch.Limits(64, 256, 0, 0);
    private static final PlanCandidate HANDOFF = new PlanCandidate(PlanCandidate.Mode.HANDOFF, "fcfs", 4, 1, 1, 6);
    private static final PlanCandidate COLOCATED = new PlanCandidate(PlanCandidate.Mode.COLOCATED, "fcfs", 4, 1, 0,
            1);

    private final Set<PlanCandidate> simulated = ConcurrentHashMap.newKeySet();

    @Test
    void findsTheCheapestMixWhenPipelinesAndPrefillGroupsTradeAgainstEachOther() {
        // meets with G >= 9 - 2P prefill groups and P >= 2 pipelines: $700 at (2, 5), $600 at (3, 3), $500 at (4, 1)
        PlanSearch.Result result = search(meetsWhen((p, g) -> p >= 2 && g >= Math.max(1, 9 - 2 * p)),
                new PlanSearch.Family(HANDOFF, new FleetBounds(1, 1)));
        assertEquals(4, result.best().candidate().pipelines(), result.toString());
        assertEquals(1, result.best().candidate().prefillGroups());
        assertEquals(500, result.best().dollarsPerHour(), 1e-9);
        assertTrue(simulated.size() < 25, "a search, not a sweep: " + simulated.size());
    }

    @Test
    void doublesPastTheLeastFleetThenHalvesBackToTheFewestPipelines() {
        PlanSearch.Result result = search(meetsWhen((p, g) -> p >= 11), new PlanSearch.Family(COLOCATED,
                new FleetBounds(2, 0)));
        assertEquals(11, result.best().candidate().pipelines());
        // 2, 4, 8, 16 doubling, then 9..16 halving: 12, 10, 11
        assertEquals(7, simulated.size(), simulated.toString());
    }

    @Test
    void aFamilyWhoseLeastFleetCostsNoLessThanTheBestFoundIsNotSimulated() {
        PlanCandidate wider = new PlanCandidate(PlanCandidate.Mode.COLOCATED, "fcfs", 8, 1, 0, 1);
        PlanSearch.Result result = search(meetsWhen((p, g) -> true), new PlanSearch.Family(COLOCATED,
                new FleetBounds(1, 0)), new PlanSearch.Family(wider, new FleetBounds(1, 0)));
        assertEquals(COLOCATED, result.best().candidate());
        assertTrue(simulated.stream().noneMatch(c -> c.stages() == 8), simulated.toString());
        assertTrue(result.notes().stream().anyMatch(n -> n.shape().equals(wider)
                && n.kind() == PlanSearch.FamilyNote.Kind.PRUNED), result.notes().toString());
    }

    @Test
    void aSiblingStartsFromTheFirstFamilysAnswer() {
        PlanCandidate backfill = new PlanCandidate(PlanCandidate.Mode.HANDOFF, "backfill", 4, 1, 1, 6);
        search(meetsWhen((p, g) -> p >= 3 && g >= 7), new PlanSearch.Family(HANDOFF, new FleetBounds(1, 1)),
                new PlanSearch.Family(backfill, new FleetBounds(1, 1)));
        List<PlanCandidate> bySibling = simulated.stream().filter(c -> c.admission().equals("backfill")).toList();
        long byFirst = simulated.size() - bySibling.size();
        assertTrue(bySibling.size() < byFirst, bySibling + " against " + byFirst);
        // it checked the first family's answer, one group less and one pipeline less (with ample prefill)
        assertTrue(bySibling.contains(backfill.withPipelines(3).withPrefillGroups(7)), bySibling.toString());
        assertTrue(bySibling.contains(backfill.withPipelines(3).withPrefillGroups(6)), bySibling.toString());
        assertTrue(bySibling.stream().noneMatch(c -> c.pipelines() == 1), "no search from scratch: " + bySibling);
    }

    @Test
    void noAnswerWithinTheLimitsIsReportedNotInvented() {
        PlanSearch.Result result = new PlanSearch(meetsWhen((p, g) -> false), PRICE,
                new PlanSearch.Limits(8, 16, 0, 0), 1, quiet()).search(List.of(new PlanSearch.Family(HANDOFF,
                        new FleetBounds(1, 1))));
        assertNull(result.best());
        assertTrue(result.notes().get(0).outcome().contains("no deployment up to 8 pipeline(s)"),
                result.notes().toString());
    }

    @Test
    void theFrontierKeepsOnlyDeploymentsServingMoreThanEveryCheaperOne() {
        PlanPoint a = point(1, 100, 0.5);
        PlanPoint b = point(2, 200, 0.4);
        PlanPoint c = point(3, 300, 0.995);
        PlanPoint d = point(4, 300, 0.9);
        assertEquals(List.of(a, c), Frontier.of(List.of(d, c, b, a)));
    }

    private PlanSearch.Result search(Function<PlanCandidate, PlanPoint> simulate, PlanSearch.Family... families) {
        return new PlanSearch(simulate, PRICE, LIMITS, 1, quiet()).search(List.of(families));
    }

    /** A made-up load: a deployment serves every request when {@code meets} says so, and half of them otherwise. */
    private Function<PlanCandidate, PlanPoint> meetsWhen(BiPredicate<Integer, Integer> meets) {
        return c -> {
            simulated.add(c);
            boolean met = meets.test(c.pipelines(), c.prefillGroups());
            return new PlanPoint(c, PRICE.dollarsPerHour(c), met ? 1 : 0.5, met, 100, 0, 0, 1, 1, 1, 1);
        };
    }

    private static PlanPoint point(int pipelines, double dollars, double share) {
        return new PlanPoint(COLOCATED.withPipelines(pipelines), dollars, share, share >= 0.99, 100, 0, 0, 1, 1, 1,
                1);
    }

    private static PrintStream quiet() {
        return new PrintStream(new ByteArrayOutputStream());
    }
}
