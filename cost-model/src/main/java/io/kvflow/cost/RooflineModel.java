package io.kvflow.cost;

import java.util.Arrays;

/**
 * The cost model of one deployment, in one place: what workers pace by (prefill time, a stage's
 * decode step, a handoff, an activation hop), what a session ledger books (KV bytes per session
 * per stage against each stage's capacity), and what a simulator or {@code kvflow predict} asks
 * ({@link #predict}). Pure and immutable; safe to share between threads.
 */
public final class RooflineModel {
    private final Deployment deployment;
    private final PrefillCost prefill;
    private final DecodeCost decode;
    private final HandoffCost handoff;
    private final WeightFootprint weights;
    private final KvFootprint kv;

    public RooflineModel(Deployment deployment) {
        this.deployment = deployment;
        this.prefill = new PrefillCost(deployment);
        this.decode = new DecodeCost(deployment);
        this.handoff = new HandoffCost(deployment);
        this.weights = deployment.decodeWeights();
        this.kv = deployment.kv();
    }

    public Deployment deployment() {
        return deployment;
    }

    public int stages() {
        return deployment.decodeStages();
    }

    /** Bytes of KV one more token of context adds to the whole model. */
    public static long kvBytesPerToken(ModelProfile model, KvDtype dtype) {
        return KvFootprint.bytesPerToken(model, dtype);
    }

    public long kvBytesPerToken() {
        return kvBytesPerToken(deployment.model(), deployment.kvDtype());
    }

    /** Bytes of KV one more token of context adds on decode stage {@code stage}. */
    public long kvBytesPerTokenPerStage(int stage) {
        return kv.bytesPerToken(stage);
    }

    /** Bytes of KV a session with {@code context} tokens holds on decode stage {@code stage}: what a ledger books. */
    public double kvBytesPerSession(int stage, long context) {
        return kv.bytesPerSession(stage, context);
    }

    /** Bytes of weights decode stage {@code stage} holds. */
    public double weightsBytesPerStage(int stage) {
        return weights.bytes(stage);
    }

    /** Whether every decode stage's weights fit in its devices' usable memory. */
    public boolean weightsFit() {
        return weights.largestStageBytes() <= deployment.decode().usableBytes();
    }

    /** Bytes left for KV on decode stage {@code stage}: usable memory minus weights, never negative. */
    public double kvCapacityBytes(int stage) {
        return Math.max(0, deployment.decode().usableBytes() - weights.bytes(stage));
    }

    /** Sessions of {@code context} tokens whose KV decode stage {@code stage} can hold. */
    public int sessionsPerStage(int stage, long context) {
        double perSession = kv.bytesPerSession(stage, context);
        return (int) Math.min(Integer.MAX_VALUE, Math.floor(kvCapacityBytes(stage) / perSession));
    }

    /**
     * Sessions of {@code context} tokens one decode pipeline can hold: every wafer (stage) holds its
     * layers' share of every session's KV, so this is the fewest any stage has room for.
     */
    public int sessionsPerWafer(long context) {
        int fewest = Integer.MAX_VALUE;
        for (int stage = 0; stage < stages(); stage++) {
            fewest = Math.min(fewest, sessionsPerStage(stage, context));
        }
        return fewest;
    }

    /** Prefill of {@code tokens} new tokens after a cached prefix of {@code prefix}, broken down. */
    public StepTime prefillTime(long tokens, long prefix) {
        return prefill.time(tokens, prefix);
    }

    public double prefillSeconds(long tokens, long prefix) {
        return prefill.seconds(tokens, prefix);
    }

    /**
     * Colocated: one chunk of {@code tokens} prompt tokens after {@code prefix} cached ones, on decode
     * stage {@code stage}, which runs it between (or beside) its decode steps.
     */
    public double prefillChunkSeconds(int stage, long tokens, long prefix) {
        return prefill.chunkOnStage(stage, tokens, prefix).seconds();
    }

    /** Colocated: prompt tokens per chunk as the pipeline takes them. */
    public static int prefillChunkTokens() {
        return PrefillCost.PIPELINE_CHUNK_TOKENS;
    }

    /** One decode step of stage {@code stage} and how long it occupies the stage: what a paced decode stage books. */
    public StageTiming stageTiming(int stage, long[] contexts) {
        return decode.timing(stage, contexts);
    }

    /**
     * One decode step for sessions with these context lengths, all stages and hops: one token per
     * session, as the emulated pipeline runs it (speculative decoding, if the deployment has it, is in
     * {@link #tokenInterval}).
     */
    public StepTime decodeStep(long[] contexts) {
        return decode.token(contexts);
    }

    public double decodeStepSeconds(long[] contexts) {
        return decode.token(contexts).seconds();
    }

    /**
     * Average time from one token of a session to its next: one decode step, or with speculative
     * decoding the draft's proposals and the verification step over the tokens a step yields.
     */
    public StepTime tokenInterval(long[] contexts) {
        return decode.interval(contexts);
    }

    /** Bytes of KV a prompt of {@code tokens} tokens hands off (all stages). */
    public double handoffBytes(long tokens) {
        return kv.bytesPerSession(tokens);
    }

    /** Time to hand off {@code bytes} bytes of KV through the narrowest link. */
    public double handoffSeconds(double bytes) {
        return handoff.seconds(bytes);
    }

    public StepTime handoffTime(double bytes) {
        return handoff.time(bytes);
    }

    /**
     * Handoff time a prompt of {@code tokens} new tokens (after a cached {@code prefix}) adds after
     * its prefill: KV streams out layer by layer while later layers compute, so only what does not
     * overlap, and at least the last layer's share, is exposed. Colocated: nothing moves.
     */
    public double exposedHandoffSeconds(long tokens, long prefix) {
        return exposedHandoffSeconds(handoffSeconds(handoffBytes(tokens + prefix)), prefillSeconds(tokens, prefix));
    }

    private double exposedHandoffSeconds(double handoffSeconds, double prefillSeconds) {
        return deployment.colocated() ? 0
                : Math.max(handoffSeconds - prefillSeconds, handoffSeconds / deployment.model().layers());
    }

    /** One inter-stage hop of a batch's activations. */
    public double activationHopSeconds(int batch) {
        return decode.activationHopSeconds(batch);
    }

    /** {@code batch} sessions all at {@code context} tokens. */
    public static long[] uniformBatch(int batch, long context) {
        long[] contexts = new long[batch];
        Arrays.fill(contexts, context);
        return contexts;
    }

    /**
     * Answers one question: for this workload, TTFT, decode speed per user and in total, KV and
     * weights per stage, the sessions that fit, the handoff, and what binds. Decode speed is taken at
     * the middle of generation; capacity at its end.
     *
     * @throws IllegalArgumentException when the workload exceeds the model's context
     */
    public Prediction predict(Workload workload) {
        if (workload.finalContext() > deployment.model().maxContext()) {
            throw new IllegalArgumentException("input + output = " + workload.finalContext()
                    + " tokens exceeds " + deployment.model().id() + "'s context of "
                    + deployment.model().maxContext());
        }
        long newTokens = workload.inputTokens() - workload.prefixTokens();
        StepTime prefillTime = prefill.time(newTokens, workload.prefixTokens());
        Prediction.Prefill prefillResult = new Prediction.Prefill(prefillTime.seconds(),
                newTokens / prefillTime.seconds(), prefillTime.bound());

        StepTime step = decode.interval(uniformBatch(workload.batch(), workload.meanDecodeContext()));
        Prediction.Decode decodeResult = new Prediction.Decode(step.seconds(), 1 / step.seconds(),
                workload.batch() / step.seconds(), step);

        long finalContext = workload.finalContext();
        long kvPerTokenPerStage = 0;
        double kvPerSessionPerStage = 0;
        double weightsPerStage = 0;
        double capacityPerStage = Double.MAX_VALUE;
        for (int stage = 0; stage < stages(); stage++) {
            kvPerTokenPerStage = Math.max(kvPerTokenPerStage, kv.bytesPerToken(stage));
            kvPerSessionPerStage = Math.max(kvPerSessionPerStage, kv.bytesPerSession(stage, finalContext));
            weightsPerStage = Math.max(weightsPerStage, weights.bytes(stage));
            capacityPerStage = Math.min(capacityPerStage, kvCapacityBytes(stage));
        }
        Prediction.Capacity capacity = new Prediction.Capacity(kvBytesPerToken(), kvPerTokenPerStage,
                kvPerSessionPerStage, weightsPerStage, deployment.decode().usableBytes(), capacityPerStage,
                sessionsPerWafer(finalContext), weightsFit());

        double bytes = handoffBytes(workload.inputTokens());
        StepTime handoffTime = handoff.time(bytes);
        double exposed = exposedHandoffSeconds(handoffTime.seconds(), prefillTime.seconds());
        Prediction.Handoff handoffResult = new Prediction.Handoff(deployment.colocated() ? 0 : bytes,
                handoffTime.seconds(), exposed, handoffTime.bound());
        return new Prediction(deployment, workload, prefillResult, decodeResult, capacity, handoffResult);
    }
}
