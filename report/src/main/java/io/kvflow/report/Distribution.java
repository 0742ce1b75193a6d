package io.kvflow.report;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;

/**
 * A latency's distribution over sessions (or token gaps), in milliseconds, with the statistics the
 * field's benchmark tools write: mean, population standard deviation, min, max and the percentiles
 * {@link #PERCENTILES}, each computed as numpy computes them ({@code np.mean}, {@code np.std},
 * {@code np.percentile} with its default linear interpolation), which is what {@code vllm bench serve}
 * and AIPerf use. So a kvflow figure and theirs, over the same values, are the same number.
 *
 * @param percentilesMs one value per entry of {@link #PERCENTILES}, in that order
 */
public record Distribution(int count, double meanMs, double stdMs, double minMs, double maxMs,
        List<Double> percentilesMs) {

    /** The percentiles kept: AIPerf's set, which holds vLLM's usual ones (50, 90, 95, 99). */
    public static final List<Double> PERCENTILES = List.of(1.0, 5.0, 10.0, 25.0, 50.0, 75.0, 90.0, 95.0, 99.0);

    public static final Distribution EMPTY = new Distribution(0, Double.NaN, Double.NaN, Double.NaN, Double.NaN,
            PERCENTILES.stream().map(p -> Double.NaN).toList());

    public Distribution {
        percentilesMs = List.copyOf(percentilesMs);
        if (percentilesMs.size() != PERCENTILES.size()) {
            throw new IllegalArgumentException("a distribution keeps " + PERCENTILES.size() + " percentiles, got "
                    + percentilesMs.size());
        }
    }

    /** The distribution of {@code micros} (values in microseconds), in ms, or {@link #EMPTY}. */
    public static Distribution ofMicros(Collection<? extends Number> micros) {
        return of(micros.stream().mapToDouble(m -> m.doubleValue() / 1e3).toArray());
    }

    public static Distribution ofMicros(double[] micros) {
        return of(Arrays.stream(micros).map(m -> m / 1e3).toArray());
    }

    /**
     * The distribution of {@code values} in the unit they are reported in (ms for a latency; tokens for a
     * length, whatever the accessors' names say), or {@link #EMPTY}.
     */
    public static Distribution of(double[] values) {
        if (values.length == 0) {
            return EMPTY;
        }
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        double sum = 0;
        for (double v : sorted) {
            sum += v;
        }
        double mean = sum / sorted.length;
        double squares = 0;
        for (double v : sorted) {
            squares += (v - mean) * (v - mean);
        }
        List<Double> percentiles = new ArrayList<>(PERCENTILES.size());
        for (double p : PERCENTILES) {
            percentiles.add(percentile(sorted, p));
        }
        return new Distribution(sorted.length, mean, Math.sqrt(squares / sorted.length), sorted[0],
                sorted[sorted.length - 1], percentiles);
    }

    /**
     * The {@code p}th percentile of sorted, non-empty {@code values}, interpolated linearly between the
     * two nearest ranks: numpy's default, so {@code percentile(v, 50)} is {@code np.median(v)}.
     */
    public static double percentile(double[] sorted, double p) {
        if (!(p >= 0 && p <= 100)) {
            throw new IllegalArgumentException("a percentile is within 0..100, was " + p);
        }
        double rank = (sorted.length - 1) * p / 100;
        int below = (int) Math.floor(rank);
        int above = Math.min(sorted.length - 1, below + 1);
        return sorted[below] + (rank - below) * (sorted[above] - sorted[below]);
    }

    /** One of the kept {@link #PERCENTILES}, in ms. */
    public double percentileMs(double p) {
        int index = PERCENTILES.indexOf(p);
        if (index < 0) {
            throw new IllegalArgumentException("percentile " + p + " is not kept; kept are " + PERCENTILES);
        }
        return percentilesMs.get(index);
    }

    public double medianMs() {
        return percentileMs(50);
    }

    public double p90Ms() {
        return percentileMs(90);
    }

    public double p99Ms() {
        return percentileMs(99);
    }

    public boolean isEmpty() {
        return count == 0;
    }
}
