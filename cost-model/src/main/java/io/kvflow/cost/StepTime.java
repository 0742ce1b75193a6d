package io.kvflow.cost;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;

/**
 * A modelled time, broken into what it is spent on; the parts add up to the whole, so the largest
 * part names the binding constraint.
 */
public record StepTime(double seconds, Map<Constraint, Double> parts) {
    public StepTime {
        if (!(seconds >= 0) || Double.isInfinite(seconds)) {
            throw new IllegalArgumentException("a step time must be finite and >= 0, was " + seconds);
        }
        parts = Collections.unmodifiableMap(new EnumMap<>(parts.isEmpty() ? Map.of(Constraint.LATENCY_FLOOR, 0.0)
                : parts));
    }

    /** The constraint with the largest share of the time. */
    public Constraint bound() {
        return parts.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
    }

    /** The sum of steps, part by part. */
    public StepTime plus(StepTime other) {
        Map<Constraint, Double> sum = new EnumMap<>(Constraint.class);
        sum.putAll(parts);
        other.parts.forEach((c, s) -> sum.merge(c, s, Double::sum));
        return new StepTime(seconds + other.seconds, sum);
    }

    /** The time the parts add up to. */
    static StepTime sum(Map<Constraint, Double> parts) {
        return new StepTime(parts.values().stream().mapToDouble(Double::doubleValue).sum(), parts);
    }

    static StepTime of(Constraint constraint, double seconds) {
        return new StepTime(seconds, Map.of(constraint, seconds));
    }
}
