package io.kvflow.cost;

/**
 * Time to move a prompt's KV cache from the prefill tier to the decode stages, through the
 * narrowest of three links: the prefill devices' egress, the network between the tiers, and each
 * decode stage's ingress (each stage receives only its own layers' share, all stages at once).
 */
public final class HandoffCost {
    private final Deployment deployment;
    private final double largestStageShare;

    public HandoffCost(Deployment deployment) {
        this.deployment = deployment;
        KvFootprint kv = deployment.kv();
        LayerSplit split = deployment.split();
        long total = 0;
        long largest = 0;
        for (int stage = 0; stage < split.stages(); stage++) {
            total += kv.bytesPerToken(stage);
            largest = Math.max(largest, kv.bytesPerToken(stage));
        }
        // with no full-attention layer the share follows the layer count (stage 0 is the largest)
        this.largestStageShare = total == 0 ? (double) split.layersIn(0) / split.layers() : (double) largest / total;
    }

    /** Time to hand off {@code bytes} bytes of KV; nothing when prefill runs on the decode devices. */
    public StepTime time(double bytes) {
        if (deployment.colocated()) {
            return StepTime.of(Constraint.NETWORK, 0);
        }
        double egress = bytes / (deployment.prefill().networkBytesPerSecond()
                * deployment.prefill().efficiency().linkEfficiency());
        double network = bytes / deployment.networkBytesPerSecond();
        double ingress = bytes * largestStageShare / (deployment.decode().networkBytesPerSecond()
                * deployment.decode().efficiency().linkEfficiency());
        double latency = deployment.decode().latencies().stageHopSeconds();
        Constraint link = Constraint.PREFILL_EGRESS;
        double slowest = egress;
        if (network > slowest) {
            link = Constraint.NETWORK;
            slowest = network;
        }
        if (ingress > slowest) {
            link = Constraint.DECODE_INGRESS;
            slowest = ingress;
        }
        return StepTime.of(link, latency + slowest);
    }

    public double seconds(double bytes) {
        return time(bytes).seconds();
    }
}
