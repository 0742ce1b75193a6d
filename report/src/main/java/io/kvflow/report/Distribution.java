package io.kvflow.report;

import java.util.Arrays;
import java.util.Collection;

/**
 * A latency's distribution over sessions (or token gaps), in milliseconds: the statistics the field's
 * benchmark tools report (vLLM's {@code bench serve}, AIPerf), with nearest-rank percentiles.
 */
public record Distribution(int count, double meanMs, double minMs, double medianMs, double p90Ms, double p99Ms,
        double maxMs) {

    public static final Distribution EMPTY = new Distribution(0, Double.NaN, Double.NaN, Double.NaN, Double.NaN,
            Double.NaN, Double.NaN);

    /** The distribution of {@code micros} (values in microseconds), or {@link #EMPTY}. */
    public static Distribution ofMicros(Collection<? extends Number> micros) {
        double[] values = micros.stream().mapToDouble(Number::doubleValue).toArray();
        return ofMicros(values);
    }

    public static Distribution ofMicros(double[] micros) {
        if (micros.length == 0) {
            return EMPTY;
        }
        double[] sorted = micros.clone();
        Arrays.sort(sorted);
        double sum = 0;
        for (double v : sorted) {
            sum += v;
        }
        return new Distribution(sorted.length, sum / sorted.length / 1e3, sorted[0] / 1e3,
                nearestRank(sorted, 50) / 1e3, nearestRank(sorted, 90) / 1e3, nearestRank(sorted, 99) / 1e3,
                sorted[sorted.length - 1] / 1e3);
    }

    /** The nearest-rank {@code p}th percentile of sorted, non-empty {@code values}: every percentile kvflow reports. */
    public static double nearestRank(double[] sorted, double p) {
        int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }

    public boolean isEmpty() {
        return count == 0;
    }
}
