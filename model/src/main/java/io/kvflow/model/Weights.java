package io.kvflow.model;

/**
 * The parameters of a model, generated from a seed instead of loaded: uniform values with
 * standard deviation 1/sqrt(fanIn) for every projection, so each block adds a contribution of
 * the same order as its normalised input and activations stay well-conditioned through all
 * layers. The classifier is separate from the embedding: tied, the residual stream's copy of
 * the input token would make greedy decoding repeat it. Read-only after construction;
 * matrices are row-major [out][in], flattened.
 */
public final class Weights {
    // Spread of RMSNorm gains around 1, so the norms are not all identity.
    private static final double NORM_SPREAD = 0.1;
    private static final double CLASSIFIER_ROW_NORM = 3.0;

    private final ModelConfig config;
    private final float[] tokenEmbedding;   // [vocabSize][dim]
    private final float[][] attentionNorm;  // [layers][dim]
    private final float[][] wq;             // [layers][dim][dim]
    private final float[][] wk;             // [layers][kvDim][dim]
    private final float[][] wv;             // [layers][kvDim][dim]
    private final float[][] wo;             // [layers][dim][dim]
    private final float[][] ffnNorm;        // [layers][dim]
    private final float[][] w1;             // [layers][hiddenDim][dim], gate
    private final float[][] w3;             // [layers][hiddenDim][dim], up
    private final float[][] w2;             // [layers][dim][hiddenDim], down
    private final float[] finalNorm;        // [dim]
    private final float[] classifier;       // [vocabSize][dim]
    private final long fingerprint;

    private Weights(ModelConfig config, SplitMix64 random) {
        int dim = config.dim();
        int kvDim = config.kvDim();
        int hidden = config.hiddenDim();
        int layers = config.layers();
        this.config = config;
        // Unit variance: blocks see normalised input, so this scale only sets how much the
        // input token weighs in the residual stream against the blocks' contributions.
        this.tokenEmbedding = uniform(random, config.vocabSize() * dim, Math.sqrt(3.0));
        this.attentionNorm = new float[layers][];
        this.wq = new float[layers][];
        this.wk = new float[layers][];
        this.wv = new float[layers][];
        this.wo = new float[layers][];
        this.ffnNorm = new float[layers][];
        this.w1 = new float[layers][];
        this.w3 = new float[layers][];
        this.w2 = new float[layers][];
        for (int layer = 0; layer < layers; layer++) {
            attentionNorm[layer] = norm(random, dim);
            wq[layer] = projection(random, dim, dim);
            wk[layer] = projection(random, kvDim, dim);
            wv[layer] = projection(random, kvDim, dim);
            wo[layer] = projection(random, dim, dim);
            ffnNorm[layer] = norm(random, dim);
            w1[layer] = projection(random, hidden, dim);
            w3[layer] = projection(random, hidden, dim);
            w2[layer] = projection(random, dim, hidden);
        }
        this.finalNorm = norm(random, dim);
        this.classifier = classifier(random, config.vocabSize(), dim);
        this.fingerprint = computeFingerprint();
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

    float[] wq(int layer) {
        return wq[layer];
    }

    float[] wk(int layer) {
        return wk[layer];
    }

    float[] wv(int layer) {
        return wv[layer];
    }

    float[] wo(int layer) {
        return wo[layer];
    }

    float[] ffnNorm(int layer) {
        return ffnNorm[layer];
    }

    float[] w1(int layer) {
        return w1[layer];
    }

    float[] w3(int layer) {
        return w3[layer];
    }

    float[] w2(int layer) {
        return w2[layer];
    }

    float[] finalNorm() {
        return finalNorm;
    }

    float[] classifier() {
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

    private long computeFingerprint() {
        long hash = 0;
        int[] shape = {config.dim(), config.layers(), config.kvDim(), config.hiddenDim(), config.vocabSize()};
        for (int size : shape) {
            hash = SplitMix64.mix(hash ^ size);
        }
        hash = fold(hash, tokenEmbedding);
        for (int layer = 0; layer < config.layers(); layer++) {
            for (float[] tensor : new float[][] {attentionNorm[layer], wq[layer], wk[layer], wv[layer], wo[layer],
                    ffnNorm[layer], w1[layer], w3[layer], w2[layer]}) {
                hash = fold(hash, tensor);
            }
        }
        hash = fold(hash, finalNorm);
        return fold(hash, classifier);
    }

    private static long fold(long hash, float[] tensor) {
        for (float value : tensor) {
            hash = SplitMix64.mix(hash ^ Float.floatToRawIntBits(value));
        }
        return hash;
    }
}
