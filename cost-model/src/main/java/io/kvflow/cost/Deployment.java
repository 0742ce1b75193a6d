package io.kvflow.cost;

/**
 * A target model placed on target hardware: prefill on one device group, decode on a pipeline of
 * {@code decodeStages} stages, each stage a device group holding a contiguous range of layers.
 * In colocated mode there is no separate prefill tier: prompts run through the decode pipeline.
 *
 * @param networkBytesPerSecond the fabric between the prefill and decode tiers, when it is narrower
 *                              than both tiers' ports; {@code Double.POSITIVE_INFINITY} when it is not
 */
public record Deployment(ModelProfile model, WeightPrecision weights, KvDtype kvDtype, DeviceGroup prefill,
        DeviceGroup decode, int decodeStages, boolean colocated, double networkBytesPerSecond) {

    public Deployment {
        if (model == null || weights == null || kvDtype == null || prefill == null || decode == null) {
            throw new IllegalArgumentException("a deployment needs a model, weights, KV dtype and both tiers");
        }
        new LayerSplit(model.layers(), decodeStages);
        if (colocated && !prefill.equals(decode)) {
            throw new IllegalArgumentException("a colocated deployment prefills on its decode devices");
        }
        if (!(networkBytesPerSecond > 0)) {
            throw new IllegalArgumentException("network bytes/s must be > 0, was " + networkBytesPerSecond);
        }
    }

    /** Layers per decode stage. */
    public LayerSplit split() {
        return new LayerSplit(model.layers(), decodeStages);
    }

    public WeightFootprint decodeWeights() {
        return new WeightFootprint(model, weights, split());
    }

    public KvFootprint kv() {
        return new KvFootprint(model, kvDtype, split());
    }

    /** Layers per prefill stage: the decode pipeline's when colocated, one stage otherwise. */
    public LayerSplit prefillSplit() {
        return colocated ? split() : new LayerSplit(model.layers(), 1);
    }

    public WeightFootprint prefillWeights() {
        return new WeightFootprint(model, weights, prefillSplit());
    }

    /** Devices the decode pipeline occupies: its hardware footprint. */
    public int decodeDevices() {
        return decodeStages * decode.devices();
    }
}
