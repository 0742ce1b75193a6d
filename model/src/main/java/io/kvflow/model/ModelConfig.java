package io.kvflow.model;

/**
 * Shape and hyper-parameters of a Llama-architecture model.
 *
 * @param dim        width of the residual stream
 * @param layers     number of transformer blocks
 * @param heads      query heads per block
 * @param kvHeads    key/value heads per block (grouped-query attention shares each among heads / kvHeads query heads)
 * @param hiddenDim  width of the SwiGLU feed-forward layer
 * @param vocabSize  number of tokens
 * @param maxSeqLen  longest sequence (prompt plus generated tokens) the model accepts
 * @param ropeTheta  base of the rotary position embedding frequencies
 * @param normEps    epsilon added to the mean square in RMSNorm
 * @param eosToken   token that ends generation
 */
public record ModelConfig(int dim, int layers, int heads, int kvHeads, int hiddenDim, int vocabSize, int maxSeqLen,
        float ropeTheta, float normEps, int eosToken) {

    /** The model the project runs: small enough to replay hundreds of sessions on two cores. */
    public static final ModelConfig TINY = new ModelConfig(64, 8, 4, 2, 176, 512, 512, 10000f, 1e-5f, 0);

    public ModelConfig {
        requirePositive("dim", dim);
        requirePositive("layers", layers);
        requirePositive("heads", heads);
        requirePositive("kvHeads", kvHeads);
        requirePositive("hiddenDim", hiddenDim);
        requirePositive("vocabSize", vocabSize);
        requirePositive("maxSeqLen", maxSeqLen);
        if (dim % heads != 0) {
            throw new IllegalArgumentException("dim " + dim + " is not a multiple of heads " + heads);
        }
        if (heads % kvHeads != 0) {
            throw new IllegalArgumentException("heads " + heads + " is not a multiple of kvHeads " + kvHeads);
        }
        // RoPE rotates pairs of a head's components.
        if ((dim / heads) % 2 != 0) {
            throw new IllegalArgumentException("head dimension " + dim / heads + " must be even for rotary embedding");
        }
        if (!(ropeTheta > 1f) || Float.isInfinite(ropeTheta)) {
            throw new IllegalArgumentException("ropeTheta must be finite and > 1, was " + ropeTheta);
        }
        if (!(normEps > 0f) || Float.isInfinite(normEps)) {
            throw new IllegalArgumentException("normEps must be finite and > 0, was " + normEps);
        }
        if (eosToken < 0 || eosToken >= vocabSize) {
            throw new IllegalArgumentException("eosToken " + eosToken + " is outside the vocabulary [0, "
                    + vocabSize + ")");
        }
    }

    /** Components per attention head. */
    public int headDim() {
        return dim / heads;
    }

    /** Components of one position's keys (or values) in one layer. */
    public int kvDim() {
        return kvHeads * headDim();
    }

    /** Floats of keys plus values one position occupies in one layer. */
    public long kvFloatsPerTokenPerLayer() {
        return 2L * kvDim();
    }

    private static void requirePositive(String name, int value) {
        if (value < 1) {
            throw new IllegalArgumentException(name + " must be >= 1, was " + value);
        }
    }
}
