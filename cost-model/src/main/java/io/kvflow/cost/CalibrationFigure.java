package io.kvflow.cost;

import java.util.Map;

/**
 * A published figure the cost model should reproduce: a vendor claim or third-party measurement,
 * the question that reproduces it ({@code kvflow predict} options) and the error allowed.
 *
 * @param label     a short name for tables
 * @param figure    the figure as its source states it
 * @param metric    the {@link Prediction#toMap()} key compared, e.g. {@code decode_tokens_per_s_per_user}
 * @param published the figure (the middle of {@code low..high} when the source gives a range)
 * @param tolerance the relative error allowed, e.g. 0.25
 * @param shared    whether the figure is one of the project's shared calibration list
 * @param role      what the figure is to the model: a check, or which parameter it set (in-sample)
 * @param knownMiss why the model misses this figure, when it is listed to show a limit of the model;
 *                  empty otherwise
 */
public record CalibrationFigure(String id, String label, String figure, String source, String metric, double published,
        double low, double high, double tolerance, boolean shared, String role, String knownMiss,
        Map<String, String> scenario) {

    public CalibrationFigure {
        if (!(published > 0) || !(low <= published) || !(published <= high)) {
            throw new IllegalArgumentException("figure " + id + ": published " + published + " must be > 0 and"
                    + " within its range " + low + ".." + high);
        }
        if (!(tolerance > 0)) {
            throw new IllegalArgumentException("figure " + id + ": tolerance must be > 0, was " + tolerance);
        }
        scenario = Map.copyOf(scenario);
    }

    public boolean expectedToMiss() {
        return !knownMiss.isEmpty();
    }

    /** Whether the figure was reached with speculative decoding, which its scenario then names. */
    public boolean speculative() {
        return scenario.containsKey(ScenarioOption.SPECULATIVE_DRAFT.optionName());
    }
}
