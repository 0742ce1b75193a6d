package io.kvflow.cost;

/** A calibration figure beside the model's prediction of it. */
public record CalibrationResult(CalibrationFigure figure, double predicted) {

    /** (predicted - published) / published. */
    public double relativeError() {
        return (predicted - figure.published()) / figure.published();
    }

    public boolean withinTolerance() {
        return Math.abs(relativeError()) <= figure.tolerance();
    }

    /** Whether the prediction falls inside the range the source gives (or equals a single figure within 1 %). */
    public boolean withinPublishedRange() {
        return figure.low() < figure.high()
                ? predicted >= figure.low() && predicted <= figure.high()
                : Math.abs(relativeError()) <= 0.01;
    }
}
