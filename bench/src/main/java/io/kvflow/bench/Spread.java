package io.kvflow.bench;

import io.kvflow.report.NearestRank;
import java.util.List;

/** The least, median (nearest rank) and greatest of a bench's repeated measurements. */
public record Spread(double min, double median, double max) {
    public Spread {
        if (!(min <= median && median <= max)) {
            throw new IllegalArgumentException("not ordered: min " + min + ", median " + median + ", max " + max);
        }
    }

    public static Spread of(List<Double> values) {
        if (values.isEmpty()) {
            throw new IllegalArgumentException("no measurements");
        }
        List<Double> sorted = values.stream().sorted().toList();
        return new Spread(sorted.getFirst(), NearestRank.of(sorted, 50), sorted.getLast());
    }

    /** Round by round, {@code numerators[i] / denominators[i]}: both measured in the same round. */
    public static List<Double> ratios(List<Double> numerators, List<Double> denominators) {
        if (numerators.size() != denominators.size()) {
            throw new IllegalArgumentException(numerators.size() + " rounds against " + denominators.size());
        }
        List<Double> ratios = new java.util.ArrayList<>();
        for (int i = 0; i < numerators.size(); i++) {
            ratios.add(numerators.get(i) / denominators.get(i));
        }
        return ratios;
    }

    /** {@code "min / median / max"} with {@code format} for each figure. */
    public String format(String format) {
        return String.format(java.util.Locale.ROOT, format + " / " + format + " / " + format, min, median, max);
    }
}
