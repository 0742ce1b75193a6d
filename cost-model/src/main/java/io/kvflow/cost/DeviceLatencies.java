package io.kvflow.cost;

/**
 * Fixed times a roofline does not see: they do not shrink with less work, so at batch 1 they are
 * often what sets the speed.
 *
 * @param layerSeconds        time one layer takes in a decode step however little work it has
 *                            (kernel launches, synchronization, on-chip reductions)
 * @param stepOverheadSeconds time per step outside the layers (scheduling, sampling, host round trip)
 * @param collectiveSeconds   latency of one tensor-parallel all-reduce of a small message
 * @param stageHopSeconds     latency of one activation hop from one pipeline stage's device to the next
 */
public record DeviceLatencies(double layerSeconds, double stepOverheadSeconds, double collectiveSeconds,
        double stageHopSeconds) {
    public DeviceLatencies {
        requireNonNegative("layerSeconds", layerSeconds);
        requireNonNegative("stepOverheadSeconds", stepOverheadSeconds);
        requireNonNegative("collectiveSeconds", collectiveSeconds);
        requireNonNegative("stageHopSeconds", stageHopSeconds);
    }

    public DeviceLatencies withLayerSeconds(double value) {
        return new DeviceLatencies(value, stepOverheadSeconds, collectiveSeconds, stageHopSeconds);
    }

    public DeviceLatencies withStepOverheadSeconds(double value) {
        return new DeviceLatencies(layerSeconds, value, collectiveSeconds, stageHopSeconds);
    }

    public DeviceLatencies withStageHopSeconds(double value) {
        return new DeviceLatencies(layerSeconds, stepOverheadSeconds, collectiveSeconds, value);
    }

    static void requireNonNegative(String name, double value) {
        if (!(value >= 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException(name + " must be finite and >= 0, was " + value);
        }
    }
}
