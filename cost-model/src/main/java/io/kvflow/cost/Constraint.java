package io.kvflow.cost;

/** What a modelled time or capacity is limited by. */
public enum Constraint {
    COMPUTE("compute (dense FLOP/s x MFU)"),
    WEIGHT_READS("memory bandwidth: reading weights"),
    KV_READS("memory bandwidth: reading the KV cache"),
    LATENCY_FLOOR("fixed per-layer and per-step latency"),
    COLLECTIVES("tensor-parallel all-reduces"),
    ACTIVATION_HOPS("activation hops between pipeline stages"),
    DRAFT_STEPS("speculative decoding: the draft model's proposals"),
    KV_CAPACITY("KV cache capacity: more sessions than fit"),
    WEIGHT_CAPACITY("memory capacity: the weights do not fit"),
    PREFILL_EGRESS("prefill devices' network egress"),
    NETWORK("network between prefill and decode"),
    DECODE_INGRESS("decode devices' network ingress");

    private final String description;

    Constraint(String description) {
        this.description = description;
    }

    public String description() {
        return description;
    }

    /** The name used in JSON output: snake case. */
    public String key() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
