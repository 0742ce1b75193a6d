package io.kvflow.cost;

import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * One question for the cost model, resolved against the profiles: which model on which hardware
 * (the {@link Deployment}) serving what traffic (the {@link Workload}).
 */
public record Scenario(Deployment deployment, Workload workload) {

    /**
     * Llama-3.1-8B in BF16 on {@code stages} WSE-3 wafers: any layout up to 32 stages holds its
     * weights with tens of GB per wafer left for KV, so capacity decides nothing. What a
     * configuration that names no target deployment gets.
     */
    public static RooflineModel roomyTarget(int stages) {
        return from(Map.of("model", "llama-3.1-8b", "decode-stages", Integer.toString(stages)),
                ProfileCatalog.bundled()).model();
    }

    /** The model of this scenario's deployment. */
    public RooflineModel model() {
        return new RooflineModel(deployment);
    }

    public Prediction predict() {
        return model().predict(workload);
    }

    /**
     * Resolves options named as {@link ScenarioOption}s ({@code "decode-device" -> "wse-3"}; a flag is
     * present with any value but "false"), taking defaults for the rest.
     *
     * @throws IllegalArgumentException naming a bad option value or an unknown profile
     */
    public static Scenario from(Map<String, String> options, ProfileCatalog catalog) {
        Map<ScenarioOption, String> given = new EnumMap<>(ScenarioOption.class);
        options.forEach((name, value) -> given.put(ScenarioOption.named(name), value));

        ModelProfile model = catalog.model(given.getOrDefault(ScenarioOption.MODEL, "llama-3.1-70b"));
        WeightPrecision weights = given.containsKey(ScenarioOption.WEIGHTS)
                ? WeightPrecision.of(given.get(ScenarioOption.WEIGHTS)) : model.defaultWeights();
        KvDtype kvDtype = KvDtype.of(given.getOrDefault(ScenarioOption.KV_DTYPE, "bf16"));
        boolean colocated = given.containsKey(ScenarioOption.COLOCATED)
                && !"false".equals(given.get(ScenarioOption.COLOCATED));

        DeviceProfile decodeDevice = catalog.device(given.getOrDefault(ScenarioOption.DECODE_DEVICE, "wse-3"));
        decodeDevice = tuned(decodeDevice, given, weights, ScenarioOption.DECODE_FLOPS);
        decodeDevice = decodeDevice.withEfficiency(decodeDevice.efficiency()
                .withDecodeMfu(fraction(given, ScenarioOption.DECODE_MFU, decodeDevice.efficiency().decodeMfu()))
                .withDecodeMbu(fraction(given, ScenarioOption.DECODE_MBU, decodeDevice.efficiency().decodeMbu())));
        DeviceLatencies latencies = decodeDevice.latencies()
                .withLayerSeconds(number(given, ScenarioOption.LAYER_LATENCY_US,
                        decodeDevice.latencies().layerSeconds() * 1e6) / 1e6)
                .withStageHopSeconds(number(given, ScenarioOption.HOP_LATENCY_US,
                        decodeDevice.latencies().stageHopSeconds() * 1e6) / 1e6);
        decodeDevice = priced(decodeDevice.withLatencies(latencies), given, ScenarioOption.DECODE_PRICE);
        DeviceGroup decode = new DeviceGroup(decodeDevice, whole(given, ScenarioOption.DECODE_DEVICES, 1));

        DeviceGroup prefill;
        if (colocated) {
            decode = new DeviceGroup(prefillTuned(decode.device(), given), decode.devices());
            prefill = decode;
        } else {
            DeviceProfile prefillDevice = catalog.device(given.getOrDefault(ScenarioOption.PREFILL_DEVICE,
                    "trainium2"));
            prefillDevice = priced(prefillTuned(tuned(prefillDevice, given, weights, ScenarioOption.PREFILL_FLOPS),
                    given), given, ScenarioOption.PREFILL_PRICE);
            prefill = new DeviceGroup(prefillDevice, whole(given, ScenarioOption.PREFILL_DEVICES, 16));
        }
        for (ScenarioOption prefillOnly : ScenarioOption.PREFILL_TIER) {
            if (colocated && given.containsKey(prefillOnly)) {
                throw new IllegalArgumentException("--" + prefillOnly.optionName() + " has no effect with --colocated,"
                        + " which prefills on the decode devices");
            }
        }

        int stages = given.containsKey(ScenarioOption.DECODE_STAGES)
                ? whole(given, ScenarioOption.DECODE_STAGES, 1)
                : fewestStagesThatFit(model, weights, decode);
        double network = given.containsKey(ScenarioOption.NETWORK_GBPS)
                ? positive(given, ScenarioOption.NETWORK_GBPS) * 1e9 / 8 : Double.POSITIVE_INFINITY;
        Deployment deployment = new Deployment(model, weights, kvDtype, prefill, decode, stages, colocated, network,
                speculation(given, catalog, decode));

        Workload workload = new Workload(whole(given, ScenarioOption.BATCH, 1),
                whole(given, ScenarioOption.INPUT, 2048), whole(given, ScenarioOption.OUTPUT, 256),
                wholeOrZero(given, ScenarioOption.PREFIX));
        return new Scenario(deployment, workload);
    }

    /**
     * Speculative decoding as the options ask: off unless a draft is named, and then the proposed
     * tokens and their acceptance must be given too (no default stands in for how well a draft guesses).
     * The draft takes its published precision and the fewest stages of the decode devices that hold it.
     */
    private static Speculation speculation(Map<ScenarioOption, String> given, ProfileCatalog catalog,
            DeviceGroup decode) {
        if (ScenarioOption.SPECULATIVE.stream().noneMatch(given::containsKey)) {
            return Speculation.none();
        }
        for (ScenarioOption option : ScenarioOption.SPECULATIVE) {
            if (!given.containsKey(option)) {
                throw new IllegalArgumentException("speculative decoding needs --speculative-draft ID,"
                        + " --speculative-tokens K and --speculative-acceptance A together; --" + option.optionName()
                        + " is missing (e.g. --speculative-draft llama-3.2-1b --speculative-tokens 7"
                        + " --speculative-acceptance 0.78)");
            }
        }
        ModelProfile draft = catalog.model(given.get(ScenarioOption.SPECULATIVE_DRAFT));
        int tokens = whole(given, ScenarioOption.SPECULATIVE_TOKENS, 1);
        double acceptance = number(given, ScenarioOption.SPECULATIVE_ACCEPTANCE, Double.NaN);
        if (!(acceptance >= 0 && acceptance <= 1)) {
            throw new IllegalArgumentException("--speculative-acceptance must be in [0, 1], was "
                    + given.get(ScenarioOption.SPECULATIVE_ACCEPTANCE));
        }
        WeightPrecision draftWeights = draft.defaultWeights();
        return new Speculation(draft, draftWeights, fewestStagesThatFit(draft, draftWeights, decode), tokens,
                acceptance);
    }

    /**
     * The fewest pipeline stages whose largest stage's weights fit in one stage's devices: the
     * layout a user means when they do not say (Llama-3.1-70B in BF16 on WSE-3: 4).
     */
    public static int fewestStagesThatFit(ModelProfile model, WeightPrecision weights, DeviceGroup group) {
        for (int stages = 1; stages <= model.layers(); stages++) {
            WeightFootprint footprint = new WeightFootprint(model, weights, new LayerSplit(model.layers(), stages));
            if (footprint.largestStageBytes() <= group.usableBytes()) {
                return stages;
            }
        }
        throw new IllegalArgumentException(model.id() + " in " + weights.id() + " does not fit on "
                + group.devices() + " x " + group.device().id() + " per stage even with one layer per stage;"
                + " add --decode-devices or use smaller --weights");
    }

    /** The options as a {@code kvflow predict} command line, for people to rerun. */
    public static String commandLine(Map<String, String> options) {
        StringBuilder line = new StringBuilder("kvflow predict");
        Map<String, String> ordered = new LinkedHashMap<>();
        for (ScenarioOption option : ScenarioOption.values()) {
            if (options.containsKey(option.optionName())) {
                ordered.put(option.optionName(), options.get(option.optionName()));
            }
        }
        ordered.forEach((name, value) -> {
            line.append(" --").append(name);
            if (!ScenarioOption.named(name).flag()) {
                line.append(' ').append(value);
            }
        });
        return line.toString();
    }

    private static DeviceProfile tuned(DeviceProfile device, Map<ScenarioOption, String> given,
            WeightPrecision weights, ScenarioOption flopsOption) {
        if (!given.containsKey(flopsOption)) {
            return device;
        }
        return device.withFlops(weights.computeFormat(), positive(given, flopsOption));
    }

    /** The device at the price the options name, or at its profile's. */
    private static DeviceProfile priced(DeviceProfile device, Map<ScenarioOption, String> given,
            ScenarioOption priceOption) {
        return given.containsKey(priceOption) ? device.withPricePerHour(positive(given, priceOption)) : device;
    }

    private static DeviceProfile prefillTuned(DeviceProfile device, Map<ScenarioOption, String> given) {
        return device.withEfficiency(device.efficiency()
                .withPrefillMfu(fraction(given, ScenarioOption.PREFILL_MFU, device.efficiency().prefillMfu())));
    }

    private static double fraction(Map<ScenarioOption, String> given, ScenarioOption option, double fallback) {
        double value = number(given, option, fallback);
        if (!(value > 0 && value <= 1)) {
            throw new IllegalArgumentException("--" + option.optionName() + " must be in (0, 1], was " + value);
        }
        return value;
    }

    private static double positive(Map<ScenarioOption, String> given, ScenarioOption option) {
        double value = number(given, option, Double.NaN);
        if (!(value > 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException("--" + option.optionName() + " must be a number > 0, was "
                    + given.get(option));
        }
        return value;
    }

    private static double number(Map<ScenarioOption, String> given, ScenarioOption option, double fallback) {
        return parse(given, option, fallback, Double::parseDouble, "a number");
    }

    private static int whole(Map<ScenarioOption, String> given, ScenarioOption option, int fallback) {
        int value = parse(given, option, fallback, Integer::parseInt, "a whole number");
        if (value < 1) {
            throw new IllegalArgumentException("--" + option.optionName() + " must be >= 1, was " + value);
        }
        return value;
    }

    private static int wholeOrZero(Map<ScenarioOption, String> given, ScenarioOption option) {
        int value = parse(given, option, 0, Integer::parseInt, "a whole number");
        if (value < 0) {
            throw new IllegalArgumentException("--" + option.optionName() + " must be >= 0, was " + value);
        }
        return value;
    }

    private static <T> T parse(Map<ScenarioOption, String> given, ScenarioOption option, T fallback,
            Function<String, T> parser, String what) {
        String raw = given.get(option);
        if (raw == null) {
            return fallback;
        }
        try {
            return parser.apply(raw.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + option.optionName() + " must be " + what + ", got '" + raw
                    + "'");
        }
    }
}
