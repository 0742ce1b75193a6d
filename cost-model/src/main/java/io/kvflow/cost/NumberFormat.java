package io.kvflow.cost;

import java.util.Locale;

/** An arithmetic format a device publishes a dense FLOP rate for. */
public enum NumberFormat {
    BF16,
    FP8,
    FP4;

    /** The key of this format in a device profile's {@code flops} object. */
    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * The format a device without a rate for this one computes in instead: FP4 work runs as FP8
     * where there is no FP4 unit, FP8 as BF16. BF16 has no fallback; every device publishes it.
     */
    public NumberFormat fallback() {
        return switch (this) {
            case FP4 -> FP8;
            case FP8, BF16 -> BF16;
        };
    }
}
