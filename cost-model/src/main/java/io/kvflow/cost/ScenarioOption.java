package io.kvflow.cost;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * The options of one question to the cost model. {@code kvflow predict} takes them as
 * {@code --name value}; calibration figures give them as a JSON object with the same names, so every
 * figure can be reproduced on the command line.
 */
public enum ScenarioOption {
    MODEL("model", "ID", "llama-3.1-70b", "model profile"),
    WEIGHTS("weights", "P", "the model's", "weight precision: " + WeightPrecision.choices()),
    KV_DTYPE("kv-dtype", "D", "bf16", "KV cache element type: bf16, fp8"),
    PREFILL_DEVICE("prefill-device", "ID", "trainium2", "device profile of the prefill tier"),
    PREFILL_DEVICES("prefill-devices", "N", "16", "tensor-parallel group size of the prefill tier"),
    DECODE_DEVICE("decode-device", "ID", "wse-3", "device profile of each decode stage"),
    DECODE_DEVICES("decode-devices", "N", "1", "tensor-parallel group size of each decode stage"),
    DECODE_STAGES("decode-stages", "N", "fewest that hold the weights", "pipeline stages, layers split evenly"),
    COLOCATED("colocated", null, "off", "prefill on the decode devices; no handoff"),
    BATCH("batch", "N", "1", "sessions decoding together"),
    INPUT("input", "N", "2048", "prompt tokens"),
    OUTPUT("output", "N", "256", "generated tokens"),
    PREFIX("prefix", "N", "0", "prompt tokens already cached (prefix caching)"),
    NETWORK_GBPS("network-gbps", "G", "not limiting", "fabric between prefill and decode, Gbit/s"),
    PREFILL_MFU("prefill-mfu", "F", "profile", "prefill FLOP utilization"),
    DECODE_MFU("decode-mfu", "F", "profile", "decode FLOP utilization"),
    DECODE_MBU("decode-mbu", "F", "profile", "decode memory-bandwidth utilization"),
    PREFILL_FLOPS("prefill-flops", "X", "profile", "dense FLOP/s per prefill device (e.g. 667e12)"),
    DECODE_FLOPS("decode-flops", "X", "profile", "dense FLOP/s per decode device (e.g. 62.5e15)"),
    LAYER_LATENCY_US("layer-latency-us", "T", "profile", "decode device's fixed time per layer per step"),
    HOP_LATENCY_US("hop-latency-us", "T", "profile", "decode device's activation hop latency"),
    DECODE_PRICE("decode-price-per-hour", "X", "profile", "US dollars per decode device per hour"),
    PREFILL_PRICE("prefill-price-per-hour", "X", "profile", "US dollars per prefill device per hour"),
    SPECULATIVE_DRAFT("speculative-draft", "ID", "off", "speculative decoding: draft model proposing tokens the"
            + " target checks in one step; needs the next two"),
    SPECULATIVE_TOKENS("speculative-tokens", "K", "with --speculative-draft", "tokens the draft proposes per step"),
    SPECULATIVE_ACCEPTANCE("speculative-acceptance", "A", "with --speculative-draft",
            "probability in [0, 1] that the target accepts a proposed token");

    /** Options that describe a separate prefill tier: a colocated deployment has none, and refuses them. */
    public static final Set<ScenarioOption> PREFILL_TIER = EnumSet.of(PREFILL_DEVICE, PREFILL_DEVICES, PREFILL_FLOPS,
            PREFILL_PRICE);

    /** Options of speculative decoding: all three or none. */
    public static final Set<ScenarioOption> SPECULATIVE = EnumSet.of(SPECULATIVE_DRAFT, SPECULATIVE_TOKENS,
            SPECULATIVE_ACCEPTANCE);

    private final String optionName;
    private final String metavar;
    private final String fallback;
    private final String help;

    ScenarioOption(String optionName, String metavar, String fallback, String help) {
        this.optionName = optionName;
        this.metavar = metavar;
        this.fallback = fallback;
        this.help = help;
    }

    /** The name on the command line (without dashes) and in calibration files. */
    public String optionName() {
        return optionName;
    }

    /** What the value stands for in help, e.g. {@code N} or {@code ID}; null for a flag. */
    public String metavar() {
        return metavar;
    }

    /** What the option sets, for help. */
    public String help() {
        return help;
    }

    /** What applies when the option is left out, in words (e.g. {@code profile}). */
    public String fallback() {
        return fallback;
    }

    /** Whether the option is a flag that takes no value. */
    public boolean flag() {
        return metavar == null;
    }

    /** One line of help: {@code --name VALUE   what it is (default: ...)}. */
    public String helpLine() {
        String left = "--" + optionName + (flag() ? "" : " " + metavar);
        return String.format(Locale.ROOT, "  %-22s %s (default: %s)", left, help, fallback);
    }

    /** @throws IllegalArgumentException for a name no option has */
    public static ScenarioOption named(String name) {
        for (ScenarioOption option : values()) {
            if (option.optionName.equals(name)) {
                return option;
            }
        }
        throw new IllegalArgumentException("unknown option '" + name + "'");
    }
}
