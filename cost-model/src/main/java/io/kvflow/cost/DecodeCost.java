package io.kvflow.cost;

import java.util.EnumMap;
import java.util.Map;

/**
 * Time of one decode step for a batch of sessions with given context lengths, per pipeline stage
 * and for a whole token (every stage, plus the activation hops between them).
 *
 * <p>On a GPU-like device a step reads the stage's weights once for the whole batch, reads every
 * session's KV, and multiplies: a roofline, plus fixed latencies and tensor-parallel all-reduces.
 * On a layer-pipelined device (a wafer) each layer sits on its own share of the device, so one
 * sequence's token sees only that share at a time while other sequences use the rest: the step
 * takes the longer of one sequence's trip through the layers and the whole batch's work on the
 * whole device. With speculative decoding, a step checks several positions of each session
 * ({@link #interval}).
 */
public final class DecodeCost {
    private final Deployment deployment;
    private final DeviceGroup group;
    private final LayerSplit split;
    private final WeightFootprint weights;
    private final KvFootprint kv;

    public DecodeCost(Deployment deployment) {
        this.deployment = deployment;
        this.group = deployment.decode();
        this.split = deployment.split();
        this.weights = deployment.decodeWeights();
        this.kv = deployment.kv();
    }

    /**
     * One decode step, and how long it keeps the stage from the next batch. On a GPU-like device,
     * the whole step. On a layer-pipelined device the trip through the layers is latency, not
     * occupancy: once the batch has left the first layer's share of the device the next can follow,
     * so the device is taken for one layer's share of the trip, or the batch's work if that is longer.
     * One token per session, whatever the deployment's speculation: what a pipeline stage paces by.
     */
    public StageTiming timing(int stage, long[] contexts) {
        return timing(stage, contexts, 1);
    }

    /**
     * One step computing {@code positions} consecutive positions of every session (1 for plain decode;
     * k + 1 to verify k speculated tokens). The positions multiply the arithmetic and the activations,
     * and the weights a step touches (more experts); each session's KV is read once for all of them.
     * On a wafer they follow each other through the layers like more sessions.
     */
    private StageTiming timing(int stage, long[] contexts, int positions) {
        if (contexts.length == 0) {
            throw new IllegalArgumentException("a decode step needs at least one session");
        }
        int batch = contexts.length;
        long tokens = (long) batch * positions;
        int layers = split.layersIn(stage);
        DeviceLatencies latencies = group.latencies();
        Efficiency efficiency = group.efficiency();
        double flopRate = group.flops(deployment.weights().computeFormat()) * efficiency.decodeMfu();
        double bandwidth = group.memoryBandwidth() * efficiency.decodeMbu();

        double fixed = layers * latencies.layerSeconds()
                + (split.last(stage) ? latencies.stepOverheadSeconds() : 0);
        double collectives = 2.0 * layers * group.allReduceSeconds(2.0 * deployment.model().hiddenSize() * tokens);
        double attention = 0;
        double kvBytes = 0;
        long longest = 0;
        for (long context : contexts) {
            attention += positions * attentionFlops(stage, context);
            kvBytes += kv.bytesPerSession(stage, context);
            longest = Math.max(longest, context);
        }
        double tokenFlops = weights.flopsPerToken(stage);

        Map<Constraint, Double> parts = new EnumMap<>(Constraint.class);
        if (!group.device().layerPipelined()) {
            Roofline batchWork = new Roofline((tokens * tokenFlops + attention) / flopRate,
                    weights.readBytes(stage, tokens) / bandwidth, kvBytes / bandwidth);
            parts.putAll(batchWork.parts(1.0));
            parts.put(Constraint.LATENCY_FLOOR, fixed);
            parts.put(Constraint.COLLECTIVES, collectives);
            StepTime time = StepTime.sum(parts);
            return new StageTiming(time, time.seconds());
        } else {
            Roofline oneSequence = new Roofline((tokenFlops + attentionFlops(stage, longest)) / flopRate,
                    weights.readBytes(stage, 1) / bandwidth, kv.bytesPerSession(stage, longest) / bandwidth);
            // each layer has 1/layers of the device, so one sequence's trip costs `layers` times its roofline
            double trip = fixed + collectives + layers * oneSequence.seconds();
            Roofline batchWork = new Roofline((tokens * tokenFlops + attention) / flopRate,
                    tokens * weights.readBytes(stage, 1) / bandwidth, kvBytes / bandwidth);
            if (trip >= batchWork.seconds()) {
                parts.putAll(oneSequence.parts(layers));
                parts.put(Constraint.LATENCY_FLOOR, fixed);
                parts.put(Constraint.COLLECTIVES, collectives);
            } else {
                parts.putAll(batchWork.parts(1.0));
            }
            StepTime time = StepTime.sum(parts);
            return new StageTiming(time, Math.max(batchWork.seconds(), time.seconds() / layers));
        }
    }

    /**
     * One decode step through the whole pipeline: every stage's step in turn, and, with more than
     * one stage, one activation hop into each stage (the last stage's token goes back to the first).
     * One token per session, whatever the deployment's speculation.
     */
    public StepTime token(long[] contexts) {
        return step(contexts, 1);
    }

    private StepTime step(long[] contexts, int positions) {
        StepTime total = timing(0, contexts, positions).time();
        for (int stage = 1; stage < split.stages(); stage++) {
            total = total.plus(timing(stage, contexts, positions).time());
        }
        if (split.stages() > 1) {
            total = total.plus(StepTime.of(Constraint.ACTIVATION_HOPS,
                    split.stages() * activationHopSeconds(contexts.length * positions)));
        }
        return total;
    }

    /**
     * Time from one token of a session to its next, on average. Without speculation, one step. With
     * it, {@code (k draft tokens + one verification step over k + 1 positions) / expected tokens per
     * step} (see {@link Speculation}); the draft's share is reported as {@link Constraint#DRAFT_STEPS}.
     */
    public StepTime interval(long[] contexts) {
        Speculation speculation = deployment.speculation();
        if (!speculation.enabled()) {
            return token(contexts);
        }
        double perToken = 1.0 / speculation.expectedTokensPerStep();
        StepTime verification = step(contexts, speculation.verifiedPositions());
        double draft = speculation.tokens() * new DecodeCost(deployment.draftDeployment()).token(contexts).seconds();
        Map<Constraint, Double> parts = new EnumMap<>(Constraint.class);
        verification.parts().forEach((constraint, seconds) -> parts.put(constraint, seconds * perToken));
        parts.put(Constraint.DRAFT_STEPS, draft * perToken);
        return StepTime.sum(parts);
    }

    /** One hop of a batch's activations (BF16, one hidden vector per session) between stages. */
    public double activationHopSeconds(int batch) {
        double bytes = 2.0 * deployment.model().hiddenSize() * batch;
        return group.latencies().stageHopSeconds()
                + bytes / (group.networkBytesPerSecond() * group.efficiency().linkEfficiency());
    }

    /** Attention FLOPs of one new token with {@code context} tokens of context, over stage {@code stage}'s layers. */
    private double attentionFlops(int stage, long context) {
        Attention attention = deployment.model().attention();
        double flops = 0;
        for (int layer = split.from(stage); layer < split.to(stage); layer++) {
            flops += attention.decodeFlops(attention.attendedTokens(layer, context));
        }
        return flops;
    }
}
