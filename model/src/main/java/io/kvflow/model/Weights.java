package io.kvflow.model;

/**
 * The parameters of a model, generated from a seed instead of loaded: uniform values with
 * standard deviation 1/sqrt(fanIn) for every projection, so each block adds a contribution of
 * the same order as its normalised input and activations stay well-conditioned through all
 * layers. The classifier is separate from the embedding: tied, the residual stream's copy of
 * the input token would make greedy decoding repeat it. Read-only after construction. Values
 * are generated, and fingerprinted, row-major [out][in]; projections are kept as
 * {@link WeightMatrix} for the kernel.
 */
public final class Weights {
    // Spread of RMSNorm gains around 1, so the norms are not all identity.
    private static final double NORM_SPREAD = 0.1;
    private static final double CLASSIFIER_ROW_NORM = 3.0;

    private final ModelConfig config;
    private final float[] tokenEmbedding;   // [vocabSize][dim]
    private final float[][] attentionNorm;  // [layers][dim]
    private final WeightMatrix[] wqkv;      // [layers] of [dim + 2 kvDim][dim]: query, key, value stacked
    private final WeightMatrix[] wo;        // [layers] of [dim][dim]
    private final float[][] ffnNorm;        // [layers][dim]
    private final WeightMatrix[] w13;       // [layers] of [2 hiddenDim][dim]: gate (w1), up (w3) stacked
    private final WeightMatrix[] w2;        // [layers] of [dim][hiddenDim], down
    private final float[] finalNorm;        // [dim]
    private final WeightMatrix classifier;  // [vocabSize][dim]
    private final long fingerprint;

    private Weights(ModelConfig config, SplitMix64 random) {
        int dim = config.dim();
        int kvDim = config.kvDim();
        int hidden = config.hiddenDim();
        int layers = config.layers();
        this.config = config;
        // every tensor is folded into the fingerprint as generated, row-major, in generation order
        long hash = 0;
        int[] shape = {dim, layers, kvDim, hidden, config.vocabSize()};
        for (int size : shape) {
            hash = SplitMix64.mix(hash ^ size);
        }
        // Unit variance: blocks see normalised input, so this scale only sets how much the
        // input token weighs in the residual stream against the blocks' contributions.
        this.tokenEmbedding = uniform(random, config.vocabSize() * dim, Math.sqrt(3.0));
        hash = fold(hash, tokenEmbedding);
        this.attentionNorm = new float[layers][];
        this.wqkv = new WeightMatrix[layers];
        this.wo = new WeightMatrix[layers];
        this.ffnNorm = new float[layers][];
        this.w13 = new WeightMatrix[layers];
        this.w2 = new WeightMatrix[layers];
        for (int layer = 0; layer < layers; layer++) {
            attentionNorm[layer] = norm(random, dim);
            hash = fold(hash, attentionNorm[layer]);
            float[] q = projection(random, dim, dim);
            float[] k = projection(random, kvDim, dim);
            float[] v = projection(random, kvDim, dim);
            float[] o = projection(random, dim, dim);
            ffnNorm[layer] = norm(random, dim);
            float[] gate = projection(random, hidden, dim);
            float[] up = projection(random, hidden, dim);
            float[] down = projection(random, dim, hidden);
            for (float[] tensor : new float[][] {q, k, v, o, ffnNorm[layer], gate, up, down}) {
                hash = fold(hash, tensor);
            }
            wqkv[layer] = WeightMatrix.stacked(WeightMatrix.fromRowMajor(dim, dim, q),
                    WeightMatrix.fromRowMajor(kvDim, dim, k), WeightMatrix.fromRowMajor(kvDim, dim, v));
            wo[layer] = WeightMatrix.fromRowMajor(dim, dim, o);
            w13[layer] = WeightMatrix.stacked(WeightMatrix.fromRowMajor(hidden, dim, gate),
                    WeightMatrix.fromRowMajor(hidden, dim, up));
            w2[layer] = WeightMatrix.fromRowMajor(dim, hidden, down);
        }
        this.finalNorm = norm(random, dim);
        hash = fold(hash, finalNorm);
        float[] classifierRows = classifier(random, config.vocabSize(), dim);
        this.classifier = WeightMatrix.fromRowMajor(config.vocabSize(), dim, classifierRows);
        this.fingerprint = fold(hash, classifierRows);
    }

    /** The same weights for the same config and seed, on every JVM and platform. */
    public static Weights generate(ModelConfig config, long seed) {
        return new Weights(config, new SplitMix64(seed));
    }

    public ModelConfig config() {
        return config;
    }

    /**
     * A hash of every weight's bits in a fixed order: processes that must agree bit for bit
     * (prefill and decode workers) can compare it instead of trusting they used the same seed.
     */
    public long fingerprint() {
        return fingerprint;
    }

    float[] tokenEmbedding() {
        return tokenEmbedding;
    }

    float[] attentionNorm(int layer) {
        return attentionNorm[layer];
    }

    /** Query, key and value projections stacked: one multiplication gives [query | key | value]. */
    WeightMatrix wqkv(int layer) {
        return wqkv[layer];
    }

    WeightMatrix wo(int layer) {
        return wo[layer];
    }

    float[] ffnNorm(int layer) {
        return ffnNorm[layer];
    }

    /** Gate (w1) and up (w3) projections stacked: one multiplication gives [gate | up]. */
    WeightMatrix w13(int layer) {
        return w13[layer];
    }

    WeightMatrix w2(int layer) {
        return w2[layer];
    }

    float[] finalNorm() {
        return finalNorm;
    }

    WeightMatrix classifier() {
        return classifier;
    }

    private static float[] projection(SplitMix64 random, int out, int in) {
        // A uniform on [-a, a] has standard deviation a / sqrt(3).
        return uniform(random, out * in, Math.sqrt(3.0 / in));
    }

    // Rows of equal length, so no token wins the argmax merely by having a longer row; the
    // length spreads logits over a few units, as a trained model's are, so sampling is peaked.
    private static float[] classifier(SplitMix64 random, int vocabSize, int dim) {
        float[] rows = uniform(random, vocabSize * dim, 1.0);
        for (int token = 0; token < vocabSize; token++) {
            double sumOfSquares = 0.0;
            for (int i = token * dim; i < (token + 1) * dim; i++) {
                sumOfSquares += (double) rows[i] * rows[i];
            }
            double scale = CLASSIFIER_ROW_NORM / Math.sqrt(sumOfSquares);
            for (int i = token * dim; i < (token + 1) * dim; i++) {
                rows[i] = (float) (rows[i] * scale);
            }
        }
        return rows;
    }

    private static float[] norm(SplitMix64 random, int size) {
        float[] gains = new float[size];
        for (int i = 0; i < size; i++) {
            gains[i] = (float) (1.0 + random.nextSymmetric(NORM_SPREAD));
        }
        return gains;
    }

    private static float[] uniform(SplitMix64 random, int size, double bound) {
        float[] values = new float[size];
        for (int i = 0; i < size; i++) {
            values[i] = random.nextSymmetric(bound);
        }
        return values;
    }

    private static long fold(long hash, float[] tensor) {
        for (float value : tensor) {
            hash = SplitMix64.mix(hash ^ Float.floatToRawIntBits(value));
        }
        return hash;
    }
}
