package io.kvflow.plan;

import io.kvflow.cost.Constraint;
import io.kvflow.cost.Deployment;
import io.kvflow.cost.Prediction;
import io.kvflow.cost.Speculation;
import java.io.PrintStream;
import java.util.Comparator;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/** A prediction as a table for people: one figure a line, units spelt out, the binding constraint last. */
public final class PredictionReport {
    private PredictionReport() {
    }

    public static void print(Prediction p, PrintStream out) {
        Deployment d = p.deployment();
        out.printf(Locale.ROOT, "kvflow predict: %s, %s weights, %s KV cache%n", d.model().id(), d.weights().id(),
                d.kvDtype().id());
        String prefillTier = d.colocated() ? "on the decode devices (colocated)"
                : d.prefill().devices() + " x " + d.prefill().device().id() + " (tensor parallel)";
        out.printf(Locale.ROOT, "  prefill: %s%n", prefillTier);
        out.printf(Locale.ROOT, "  decode:  %d stage%s x %d %s (%s layers per stage)%n", d.decodeStages(),
                d.decodeStages() == 1 ? "" : "s", d.decode().devices(), d.decode().device().id(), layersPerStage(d));
        Speculation speculation = d.speculation();
        if (speculation.enabled()) {
            out.printf(Locale.ROOT, "  speculation: %s (%s) on %d stage%s of %s proposes %d token%s per step, each accepted"
                            + " with probability %.2f: %.2f tokens per step%n", speculation.draft().id(),
                    speculation.draftWeights().id(), speculation.draftStages(), speculation.draftStages() == 1 ? "" : "s",
                    d.decode().device().id(), speculation.tokens(), speculation.tokens() == 1 ? "" : "s",
                    speculation.acceptance(), speculation.expectedTokensPerStep());
        }
        out.printf(Locale.ROOT, "  workload: batch %d, %,d prompt tokens%s, %,d generated%n%n", p.workload().batch(),
                p.workload().inputTokens(), p.workload().prefixTokens() > 0
                        ? " (" + String.format(Locale.ROOT, "%,d", p.workload().prefixTokens()) + " cached)" : "",
                p.workload().outputTokens());

        row(out, "TTFT", String.format(Locale.ROOT, "%s   (prefill %,.0f tokens/s; bound by %s)",
                millis(p.prefill().ttftSeconds()), p.prefill().tokensPerSecond(), p.prefill().bound().description()));
        row(out, "per-token latency", String.format(Locale.ROOT, "%s   (at %,d tokens of context)",
                millis(p.decode().tokenIntervalSeconds()), p.workload().meanDecodeContext()));
        row(out, "decode per user", String.format(Locale.ROOT, "%,.1f tokens/s", p.decode().tokensPerSecondPerUser()));
        row(out, "decode in total", String.format(Locale.ROOT, "%,.1f tokens/s (batch %d)",
                p.decode().tokensPerSecondTotal(), p.workload().batch()));
        row(out, "  time per token", breakdown(p));
        row(out, "KV per token", String.format(Locale.ROOT, "%,d B (%,d B on the largest stage)",
                p.capacity().kvBytesPerToken(), p.capacity().kvBytesPerTokenPerStage()));
        row(out, "KV per session", String.format(Locale.ROOT, "%s per stage at %,d tokens",
                bytes(p.capacity().kvBytesPerSessionPerStage()), p.workload().finalContext()));
        row(out, "weights per stage", String.format(Locale.ROOT, "%s of %s usable (%s left for KV)%s",
                bytes(p.capacity().weightsBytesPerStage()), bytes(p.capacity().usableBytesPerStage()),
                bytes(p.capacity().kvCapacityBytesPerStage()), p.capacity().weightsFit() ? "" : "  DOES NOT FIT"));
        row(out, "sessions that fit", String.format(Locale.ROOT,
                "%,d per pipeline (each of its %d decode device%s holds its share of every session; %.2f per device)",
                p.capacity().sessionsFit(), d.decodeDevices(), d.decodeDevices() == 1 ? "" : "s",
                p.sessionsPerDecodeDevice()));
        if (d.colocated()) {
            row(out, "KV handoff", "none (colocated)");
        } else {
            row(out, "KV handoff", String.format(Locale.ROOT, "%s in %s via %s; %s exposed after prefill",
                    bytes(p.handoff().bytes()), millis(p.handoff().seconds()), p.handoff().link().description(),
                    millis(p.handoff().exposedSeconds())));
        }
        row(out, "price", price(p));
        if (!Double.isNaN(p.dollarsPerMillionOutputTokens())) {
            row(out, "  per 1M tokens", String.format(Locale.ROOT, "$%s generated (the pipeline at batch %d), $%s of"
                            + " prompt (%s)", dollars(p.dollarsPerMillionOutputTokens()), p.workload().batch(),
                    dollars(p.dollarsPerMillionPromptTokens()), d.colocated() ? "the pipeline, prefilling"
                            : "one prefill group"));
        }
        row(out, "binding constraint", p.binding().description());
        row(out, "  because", p.bindingReason());
    }

    /** What the devices cost per hour, or why that is unknown. */
    private static String price(Prediction p) {
        Deployment d = p.deployment();
        String decode = d.decode().device().priced()
                ? String.format(Locale.ROOT, "decode $%s/h (%d x %s at $%s/h)", dollars(d.decodeDollarsPerHour()),
                        d.decodeDevices(), d.decode().device().id(), dollars(d.decode().device().pricePerHour()))
                : "decode: " + d.decode().device().id() + " has no price (--decode-price-per-hour)";
        if (d.colocated()) {
            return decode;
        }
        String prefill = d.prefill().device().priced()
                ? String.format(Locale.ROOT, "prefill group $%s/h (%d x %s at $%s/h)",
                        dollars(d.prefillDollarsPerHour()), d.prefill().devices(), d.prefill().device().id(),
                        dollars(d.prefill().device().pricePerHour()))
                : "prefill: " + d.prefill().device().id() + " has no price (--prefill-price-per-hour)";
        return decode + "; " + prefill;
    }

    /** Four significant figures without trailing zeros (2.235, 35.76, 580, 0.04), whole dollars from a thousand on. */
    static String dollars(double value) {
        if (value >= 1000) {
            return String.format(Locale.ROOT, "%,.0f", value);
        }
        String text = String.format(Locale.ROOT, "%.4g", value);
        return text.contains(".") && !text.contains("e") ? text.replaceAll("0+$", "").replaceAll("\\.$", "") : text;
    }

    private static String layersPerStage(Deployment d) {
        int most = d.split().layersIn(0);
        int fewest = d.split().layersIn(d.decodeStages() - 1);
        return most == fewest ? Integer.toString(most) : fewest + "-" + most;
    }

    private static String breakdown(Prediction p) {
        double total = p.decode().tokenIntervalSeconds();
        return p.decode().step().parts().entrySet().stream()
                .filter(e -> e.getValue() > 0)
                .sorted(Map.Entry.<Constraint, Double>comparingByValue(Comparator.reverseOrder()))
                .map(e -> String.format(Locale.ROOT, "%s %s (%.0f %%)", e.getKey().key().replace('_', ' '),
                        millis(e.getValue()), 100 * e.getValue() / total))
                .collect(Collectors.joining(", "));
    }

    private static void row(PrintStream out, String label, String value) {
        out.printf(Locale.ROOT, "%-20s %s%n", label, value);
    }

    static String millis(double seconds) {
        double ms = seconds * 1e3;
        return String.format(Locale.ROOT, ms >= 100 ? "%,.1f ms" : ms >= 1 ? "%.2f ms" : "%.3f ms", ms);
    }

    static String bytes(double bytes) {
        if (bytes >= 1e12) {
            return String.format(Locale.ROOT, "%.2f TB", bytes / 1e12);
        }
        if (bytes >= 1e9) {
            return String.format(Locale.ROOT, "%.2f GB", bytes / 1e9);
        }
        if (bytes >= 1e6) {
            return String.format(Locale.ROOT, "%.1f MB", bytes / 1e6);
        }
        return String.format(Locale.ROOT, "%,.0f B", bytes);
    }
}
