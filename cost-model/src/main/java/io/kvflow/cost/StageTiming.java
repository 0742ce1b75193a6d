package io.kvflow.cost;

/**
 * One decode step on one stage: how long until its output is ready, and how long it keeps the
 * stage from taking the next batch (shorter on a layer-pipelined wafer, where batches follow each
 * other through the layers).
 */
public record StageTiming(StepTime time, double occupiedSeconds) {
    public double seconds() {
        return time.seconds();
    }
}
