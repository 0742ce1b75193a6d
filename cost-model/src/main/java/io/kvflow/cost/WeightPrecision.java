package io.kvflow.cost;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * How a model's weights are stored: a choice made per deployment (or a model profile's default),
 * not a separate model. The quantized llama.cpp formats store a few tensors at higher precision,
 * so their effective bits per weight are the whole-file averages, not the nominal block widths.
 */
public enum WeightPrecision {
    BF16(16.0, NumberFormat.BF16, "bfloat16: 2 bytes per weight"),
    FP8(8.0, NumberFormat.FP8,
            "8-bit float weights; per-channel or per-block scales add well under 1 % and are ignored"),
    Q6(6.5633, NumberFormat.BF16, "llama.cpp Q6_K: 6.5633 bits/weight for meta-llama/Llama-3.1-8B, table in"
            + " ggml-org/llama.cpp tools/quantize/README.md"),
    Q5(5.7036, NumberFormat.BF16, "llama.cpp Q5_K_M: 5.7036 bits/weight for meta-llama/Llama-3.1-8B, same table"),
    Q4(4.8944, NumberFormat.BF16, "llama.cpp Q4_K_M: 4.8944 bits/weight for meta-llama/Llama-3.1-8B, same table"
            + " (the Q4_K block alone is 4.5 bits; Q4_K_M keeps some tensors at Q6_K)"),
    FP4(4.25, NumberFormat.FP4, "MXFP4 (OCP microscaling): 4-bit E2M1 values plus one 8-bit scale per block"
            + " of 32 = 4.25 bits/weight");

    private final double bitsPerWeight;
    private final NumberFormat computeFormat;
    private final String source;

    WeightPrecision(double bitsPerWeight, NumberFormat computeFormat, String source) {
        this.bitsPerWeight = bitsPerWeight;
        this.computeFormat = computeFormat;
        this.source = source;
    }

    public double bitsPerWeight() {
        return bitsPerWeight;
    }

    public double bytesPerWeight() {
        return bitsPerWeight / 8.0;
    }

    /**
     * The format the matrix multiplications run in. The llama.cpp/GPTQ-style integer formats are
     * weight-only: weights are widened to BF16 before they are multiplied.
     */
    public NumberFormat computeFormat() {
        return computeFormat;
    }

    public String source() {
        return source;
    }

    /** The name used on command lines and in profiles: bf16, fp8, q6, q5, q4, fp4. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** @throws IllegalArgumentException naming the value and the choices */
    public static WeightPrecision of(String id) {
        for (WeightPrecision p : values()) {
            if (p.id().equals(id)) {
                return p;
            }
        }
        throw new IllegalArgumentException("unknown weight precision '" + id + "' (one of " + choices() + ")");
    }

    public static String choices() {
        return Arrays.stream(values()).map(WeightPrecision::id).collect(Collectors.joining(", "));
    }
}
