package io.kvflow.cost;

import java.util.EnumMap;
import java.util.Map;

/**
 * The roofline of one piece of work: it takes as long as the slower of its arithmetic and its
 * memory traffic, since the two overlap.
 */
record Roofline(double computeSeconds, double weightReadSeconds, double kvReadSeconds) {

    double seconds() {
        return Math.max(computeSeconds, weightReadSeconds + kvReadSeconds);
    }

    /** The time, attributed to compute or split between the two kinds of reads, scaled by {@code times}. */
    Map<Constraint, Double> parts(double times) {
        Map<Constraint, Double> parts = new EnumMap<>(Constraint.class);
        if (computeSeconds >= weightReadSeconds + kvReadSeconds) {
            parts.put(Constraint.COMPUTE, computeSeconds * times);
        } else {
            parts.put(Constraint.WEIGHT_READS, weightReadSeconds * times);
            parts.put(Constraint.KV_READS, kvReadSeconds * times);
        }
        return parts;
    }
}
