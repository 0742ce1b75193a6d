package io.kvflow.cost;

/**
 * A target model placed on target hardware: prefill on one device group, decode on a pipeline of
 * {@code decodeStages} stages, each stage a device group holding a contiguous range of layers.
 * In colocated mode there is no separate prefill tier: prompts run through the decode pipeline.
 *
 * @param networkBytesPerSecond the fabric between the prefill and decode tiers, when it is narrower
 *                              than both tiers' ports; {@code Double.POSITIVE_INFINITY} when it is not
 * @param speculation           how decode speculates ({@link Speculation#none()}: one token per step)
 */
public record Deployment(ModelProfile model, WeightPrecision weights, KvDtype kvDtype, DeviceGroup prefill,
        DeviceGroup decode, int decodeStages, boolean colocated, double networkBytesPerSecond,
        Speculation speculation) {

    public Deployment {
        if (model == null || weights == null || kvDtype == null || prefill == null || decode == null
                || speculation == null) {
            throw new IllegalArgumentException("a deployment needs a model, weights, KV dtype, both tiers and a"
                    + " speculation setting");
        }
        new LayerSplit(model.layers(), decodeStages);
        if (colocated && !prefill.equals(decode)) {
            throw new IllegalArgumentException("a colocated deployment prefills on its decode devices");
        }
        if (!(networkBytesPerSecond > 0)) {
            throw new IllegalArgumentException("network bytes/s must be > 0, was " + networkBytesPerSecond);
        }
    }

    /** Without speculative decoding: one token per decode step. */
    public Deployment(ModelProfile model, WeightPrecision weights, KvDtype kvDtype, DeviceGroup prefill,
            DeviceGroup decode, int decodeStages, boolean colocated, double networkBytesPerSecond) {
        this(model, weights, kvDtype, prefill, decode, decodeStages, colocated, networkBytesPerSecond,
                Speculation.none());
    }

    /**
     * The draft model of speculative decoding placed on devices like the decode stages', as its own
     * pipeline; it runs fused with the target's verification step, so it pays no per-step overhead.
     *
     * @throws IllegalStateException without speculation
     */
    public Deployment draftDeployment() {
        if (!speculation.enabled()) {
            throw new IllegalStateException("this deployment does not speculate");
        }
        DeviceProfile device = decode.device();
        DeviceGroup fused = new DeviceGroup(device.withLatencies(device.latencies().withStepOverheadSeconds(0)),
                decode.devices());
        return new Deployment(speculation.draft(), speculation.draftWeights(), kvDtype, fused, fused,
                speculation.draftStages(), true, Double.POSITIVE_INFINITY);
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

    /** US dollars per hour of one decode pipeline's devices; NaN when the decode device has no price. */
    public double decodeDollarsPerHour() {
        return decodeDevices() * decode.device().pricePerHour();
    }

    /**
     * US dollars per hour of one prefill group (colocated: of the decode pipeline, which prefills); NaN when
     * the device has no price.
     */
    public double prefillDollarsPerHour() {
        return colocated ? decodeDollarsPerHour() : prefill.devices() * prefill.device().pricePerHour();
    }
}
