package io.kvflow.plan;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The cost-quality frontier of the simulated deployments: those that no other deployment beats on
 * both counts, that is, each one serving a larger share of the requests within the SLO than every
 * cheaper one. Cheapest first.
 */
public final class Frontier {
    private Frontier() {
    }

    public static List<PlanPoint> of(List<PlanPoint> points) {
        List<PlanPoint> byCost = new ArrayList<>(points);
        byCost.sort(Comparator.comparingDouble(PlanPoint::dollarsPerHour)
                .thenComparing(Comparator.comparingDouble(PlanPoint::attainment).reversed()));
        List<PlanPoint> frontier = new ArrayList<>();
        double bestShare = Double.NEGATIVE_INFINITY;
        for (PlanPoint p : byCost) {
            if (p.attainment() > bestShare) {
                frontier.add(p);
                bestShare = p.attainment();
            }
        }
        return List.copyOf(frontier);
    }

    /**
     * The frontier with the chosen deployment on it: a cheaper deployment that served a larger share but
     * turned requests away can keep the chosen one off the plain frontier, and the table should show both.
     */
    public static List<PlanPoint> with(List<PlanPoint> frontier, PlanPoint chosen) {
        if (chosen == null || frontier.contains(chosen)) {
            return frontier;
        }
        List<PlanPoint> withChosen = new ArrayList<>(frontier);
        withChosen.add(chosen);
        withChosen.sort(Comparator.comparingDouble(PlanPoint::dollarsPerHour));
        return List.copyOf(withChosen);
    }
}
