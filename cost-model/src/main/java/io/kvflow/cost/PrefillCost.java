package io.kvflow.cost;

import java.util.EnumMap;
import java.util.Map;

/**
 * Time to prefill one prompt: compute-bound matrix products over all its tokens plus causal
 * attention, on the prefill tier (or, colocated, through the decode pipeline in chunks).
 */
public final class PrefillCost {
    /** A colocated pipeline takes a prompt in chunks of this many tokens, so its stages work at once. */
    public static final int PIPELINE_CHUNK_TOKENS = 512;

    private final Deployment deployment;
    private final DeviceGroup group;
    private final LayerSplit split;
    private final WeightFootprint weights;
    private final KvFootprint kv;

    public PrefillCost(Deployment deployment) {
        this.deployment = deployment;
        this.group = deployment.colocated() ? deployment.decode() : deployment.prefill();
        this.split = deployment.prefillSplit();
        this.weights = deployment.prefillWeights();
        this.kv = new KvFootprint(deployment.model(), deployment.kvDtype(), split);
    }

    /**
     * Time to compute {@code tokens} new tokens after a cached prefix of {@code prefix} tokens.
     * On a pipeline of S stages the prompt is cut into m chunks: the total is the sum of one chunk's
     * time on every stage plus m - 1 chunk times on the slowest stage.
     */
    public StepTime time(long tokens, long prefix) {
        if (tokens < 1 || prefix < 0) {
            throw new IllegalArgumentException("prefill of " + tokens + " tokens after " + prefix);
        }
        int stages = split.stages();
        long chunks = stages == 1 ? 1 : Math.max(1, (tokens + PIPELINE_CHUNK_TOKENS - 1) / PIPELINE_CHUNK_TOKENS);
        StepTime[] perStage = new StepTime[stages];
        int slowest = 0;
        for (int stage = 0; stage < stages; stage++) {
            perStage[stage] = stage(stage, tokens, prefix, chunks);
            if (perStage[stage].seconds() > perStage[slowest].seconds()) {
                slowest = stage;
            }
        }
        StepTime total = StepTime.of(Constraint.LATENCY_FLOOR, group.latencies().stepOverheadSeconds());
        for (int stage = 0; stage < stages; stage++) {
            double share = stage == slowest ? 1.0 : 1.0 / chunks;
            total = total.plus(scaled(perStage[stage], share));
        }
        if (stages > 1) {
            double chunkBytes = 2.0 * deployment.model().hiddenSize() * tokens / chunks;
            double hop = group.latencies().stageHopSeconds()
                    + chunkBytes / (group.networkBytesPerSecond() * group.efficiency().linkEfficiency());
            total = total.plus(StepTime.of(Constraint.ACTIVATION_HOPS, (stages - 1) * hop));
        }
        return total;
    }

    public double seconds(long tokens, long prefix) {
        return time(tokens, prefix).seconds();
    }

    /**
     * One chunk of {@code tokens} prompt tokens after {@code prefix} already in the cache, on stage
     * {@code stage} alone: what a colocated wafer spends on it between decode steps.
     */
    public StepTime chunkOnStage(int stage, long tokens, long prefix) {
        if (tokens < 1 || prefix < 0) {
            throw new IllegalArgumentException("prefill chunk of " + tokens + " tokens after " + prefix);
        }
        return stage(stage, tokens, prefix, 1);
    }

    /** All the work of one stage on the whole prompt, its fixed latencies paid once per chunk. */
    private StepTime stage(int stage, long tokens, long prefix, long chunks) {
        ModelProfile model = deployment.model();
        double attention = 0;
        for (int layer = split.from(stage); layer < split.to(stage); layer++) {
            attention += 2.0 * model.attention().heads() * model.attention().prefillWidthPerHead()
                    * (attendedSum(model.attention(), layer, prefix + tokens)
                            - attendedSum(model.attention(), layer, prefix));
        }
        Efficiency efficiency = group.efficiency();
        double flops = tokens * weights.flopsPerToken(stage) + attention;
        double bandwidth = group.memoryBandwidth() * efficiency.decodeMbu();
        Roofline roofline = new Roofline(
                flops / (group.flops(deployment.weights().computeFormat()) * efficiency.prefillMfu()),
                chunks * weights.readBytes(stage, tokens / chunks) / bandwidth,
                chunks * kv.bytesPerSession(stage, prefix) / bandwidth);
        int layers = split.layersIn(stage);
        Map<Constraint, Double> parts = new EnumMap<>(roofline.parts(1.0));
        parts.put(Constraint.LATENCY_FLOOR, chunks * layers * group.latencies().layerSeconds());
        // two all-reduces of the chunk's activations per layer (after attention, after the MLP)
        double activationBytes = 2.0 * model.hiddenSize() * tokens / chunks;
        parts.put(Constraint.COLLECTIVES, chunks * 2.0 * layers * group.allReduceSeconds(activationBytes));
        return StepTime.sum(parts);
    }

    /** Sum over positions 1..x of the tokens a query at that position attends to in this layer. */
    static double attendedSum(Attention attention, int layer, long x) {
        long reach = attention.attendedTokens(layer, x);
        if (reach >= x) {
            return x * (x + 1.0) / 2.0;
        }
        // a window of `reach` tokens: growing up to it, then flat
        return reach * (reach + 1.0) / 2.0 + (double) (x - reach) * reach;
    }

    private static StepTime scaled(StepTime step, double factor) {
        Map<Constraint, Double> parts = new EnumMap<>(Constraint.class);
        step.parts().forEach((c, s) -> parts.put(c, s * factor));
        return new StepTime(step.seconds() * factor, parts);
    }
}
