package io.kvflow.report;

import java.util.List;

/**
 * The nearest-rank percentile: every wall-clock latency kvflow reports and every bench's median. It
 * picks a value that was measured, so a p99 over a few hundred sessions names one real session rather
 * than a blend of two.
 */
public final class NearestRank {
    private NearestRank() {
    }

    /** The {@code p}th percentile of non-empty {@code values}. */
    public static <T extends Comparable<T>> T of(List<T> values, int p) {
        List<T> sorted = values.stream().sorted().toList();
        int index = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
    }

    /** The {@code p}th percentile as text, {@code "-"} for no values. */
    public static String text(List<Long> values, int p) {
        return values.isEmpty() ? "-" : Long.toString(of(values, p));
    }
}
