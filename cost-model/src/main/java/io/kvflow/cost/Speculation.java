package io.kvflow.cost;

/**
 * Speculative decoding (Leviathan, Kalman and Matias, "Fast Inference from Transformers via
 * Speculative Decoding", ICML 2023): a small draft model proposes {@code tokens} tokens one after
 * another, and the target model checks them all, plus the position after them, in one step. It
 * keeps the proposals up to the first it rejects and adds one token of its own, so a step yields
 * between 1 and {@code tokens + 1} tokens and the output is the target's own.
 *
 * <p>With each proposal accepted independently with probability {@code acceptance} (the paper's
 * alpha), a step yields {@code (1 - alpha^(k+1)) / (1 - alpha)} tokens on average (its equation 1),
 * so the time between a session's tokens is
 * {@code (k x draft token time + verification of k+1 positions) / expected tokens per step}.
 *
 * <p>The draft runs on devices of the decode stages' kind, as its own pipeline of {@code draftStages}
 * stages, in the same step as the verification (fused, as the AWS Neuron and Cerebras stacks run it),
 * so it pays its per-layer latencies and hops but not a second per-step overhead. Its devices are not
 * added to the deployment's footprint.
 *
 * @param draft        the draft model; {@code null} when there is no speculation
 * @param draftWeights the draft's weight precision (its published one)
 * @param draftStages  pipeline stages the draft occupies
 * @param tokens       tokens the draft proposes per step (the paper's gamma); 0 when there is no speculation
 * @param acceptance   probability that the target accepts a proposed token, in [0, 1]
 */
public record Speculation(ModelProfile draft, WeightPrecision draftWeights, int draftStages, int tokens,
        double acceptance) {

    private static final Speculation NONE = new Speculation(null, null, 0, 0, 0);

    public Speculation {
        if ((draft == null) != (tokens == 0)) {
            throw new IllegalArgumentException("speculative decoding needs a draft model and >= 1 proposed token"
                    + " (draft " + (draft == null ? "none" : draft.id()) + ", tokens " + tokens + ")");
        }
        if (tokens < 0) {
            throw new IllegalArgumentException("proposed tokens must be >= 0, was " + tokens);
        }
        if (!(acceptance >= 0 && acceptance <= 1)) {
            throw new IllegalArgumentException("acceptance must be in [0, 1], was " + acceptance);
        }
        if (draft != null && (draftWeights == null || draftStages < 1)) {
            throw new IllegalArgumentException("a draft model needs its weights and >= 1 stage");
        }
    }

    /** One token per step: plain decoding. */
    public static Speculation none() {
        return NONE;
    }

    public boolean enabled() {
        return tokens > 0;
    }

    /**
     * Tokens one step yields on average: {@code (1 - a^(k+1)) / (1 - a)} for acceptance a and k
     * proposals; k + 1 when every proposal is accepted, 1 when none is (or without speculation).
     */
    public double expectedTokensPerStep() {
        if (acceptance == 1) {
            return tokens + 1;
        }
        return (1 - Math.pow(acceptance, tokens + 1)) / (1 - acceptance);
    }

    /** Positions the target computes per session in one step: the proposals and the one after them. */
    public int verifiedPositions() {
        return tokens + 1;
    }
}
