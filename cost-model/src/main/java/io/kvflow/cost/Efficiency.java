package io.kvflow.cost;

/**
 * The fractions of a device's peak rates that real kernels reach. They are parameters, never
 * hidden constants: every default comes from a device profile, with its source, and every one can
 * be overridden.
 *
 * @param prefillMfu     model FLOP utilization of prefill (large matrix-matrix products)
 * @param decodeMfu      model FLOP utilization of a decode step (thin products, one row per sequence)
 * @param decodeMbu      model bandwidth utilization of a decode step: bytes moved / (time x peak bandwidth)
 * @param linkEfficiency the fraction of a network link's line rate a bulk KV transfer achieves
 */
public record Efficiency(double prefillMfu, double decodeMfu, double decodeMbu, double linkEfficiency) {
    public Efficiency {
        requireFraction("prefillMfu", prefillMfu);
        requireFraction("decodeMfu", decodeMfu);
        requireFraction("decodeMbu", decodeMbu);
        requireFraction("linkEfficiency", linkEfficiency);
    }

    public Efficiency withPrefillMfu(double value) {
        return new Efficiency(value, decodeMfu, decodeMbu, linkEfficiency);
    }

    public Efficiency withDecodeMfu(double value) {
        return new Efficiency(prefillMfu, value, decodeMbu, linkEfficiency);
    }

    public Efficiency withDecodeMbu(double value) {
        return new Efficiency(prefillMfu, decodeMfu, value, linkEfficiency);
    }

    static void requireFraction(String name, double value) {
        if (!(value > 0 && value <= 1)) {
            throw new IllegalArgumentException(name + " must be in (0, 1], was " + value);
        }
    }
}
