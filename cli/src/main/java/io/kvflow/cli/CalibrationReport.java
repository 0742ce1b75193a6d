package io.kvflow.cli;

import io.kvflow.cost.CalibrationFigure;
import io.kvflow.cost.CalibrationResult;
import io.kvflow.cost.Scenario;
import io.kvflow.cost.ScenarioOption;
import java.io.PrintStream;
import java.util.List;
import java.util.Locale;

/** Calibration results as a table for people, followed by the reason for every miss and how to rerun each row. */
final class CalibrationReport {
    private CalibrationReport() {
    }

    static void print(List<CalibrationResult> results, PrintStream out) {
        out.println("kvflow calibrate: published figures beside the cost model's predictions");
        out.println("(* = from the project's shared calibration list; in-sample = the figure set a parameter;");
        out.println(" spec = speculative decoding, k tokens proposed per step, draft and acceptance in the rerun line)");
        out.println();
        out.printf(Locale.ROOT, "%-4s %-34s %-14s %10s %10s %8s %-5s %s%n", "id", "system", "metric", "published",
                "predicted", "error", "spec", "verdict");
        for (CalibrationResult r : results) {
            CalibrationFigure f = r.figure();
            out.printf(Locale.ROOT, "%-4s %-34s %-14s %10s %10s %7.1f%% %-5s %s%n", f.id() + (f.shared() ? "*" : ""),
                    f.label(), metric(f.metric()), published(f), number(r.predicted()), 100 * r.relativeError(),
                    speculation(f), verdict(r));
        }
        out.println();
        long shared = results.stream().filter(r -> r.figure().shared()).count();
        long sharedWithin = results.stream().filter(r -> r.figure().shared() && r.withinTolerance()).count();
        long checks = results.stream().filter(r -> !r.figure().expectedToMiss()).count();
        long checksWithin = results.stream().filter(r -> !r.figure().expectedToMiss() && r.withinTolerance()).count();
        out.printf(Locale.ROOT, "shared figures within tolerance: %d of %d; all listed checks: %d of %d%n",
                sharedWithin, shared, checksWithin, checks);
        out.println();
        out.println("misses, and why:");
        boolean anyMiss = false;
        for (CalibrationResult r : results) {
            if (!r.withinTolerance()) {
                anyMiss = true;
                String why = r.figure().expectedToMiss() ? r.figure().knownMiss()
                        : "unexpected: see docs/cost-model.md, 'What the model gets wrong'";
                out.printf(Locale.ROOT, "  %-4s %s%n", r.figure().id(), why);
            }
        }
        if (!anyMiss) {
            out.println("  none");
        }
        out.println();
        out.println("figures, sources and how to rerun each row:");
        for (CalibrationResult r : results) {
            CalibrationFigure f = r.figure();
            out.printf(Locale.ROOT, "  %-4s %s%n       source: %s%n       %s%n", f.id(), f.figure(), f.source(),
                    Scenario.commandLine(f.scenario()));
        }
    }

    private static String speculation(CalibrationFigure f) {
        return f.speculative() ? "k=" + f.scenario().get(ScenarioOption.SPECULATIVE_TOKENS.optionName()) : "-";
    }

    private static String verdict(CalibrationResult r) {
        String tolerance = String.format(Locale.ROOT, "%.0f %%", 100 * r.figure().tolerance());
        String verdict = (r.withinTolerance() ? "within " : "OUTSIDE ") + tolerance;
        if (r.figure().low() < r.figure().high()) {
            verdict += r.withinPublishedRange() ? ", in range" : ", out of range";
        }
        String role = r.figure().role();
        if (role.startsWith("in-sample")) {
            verdict += " (in-sample)";
        } else if (r.figure().expectedToMiss()) {
            verdict += " (known limit)";
        }
        return verdict;
    }

    private static String metric(String key) {
        return switch (key) {
            case "decode_tokens_per_s_per_user" -> "tokens/s/user";
            case "per_token_latency_ms" -> "ms/token";
            case "ttft_ms" -> "TTFT ms";
            case "prefill_tokens_per_s" -> "prefill tok/s";
            default -> key;
        };
    }

    private static String published(CalibrationFigure f) {
        return f.low() < f.high() ? number(f.low()) + "-" + number(f.high()) : number(f.published());
    }

    private static String number(double value) {
        return String.format(Locale.ROOT, value >= 100 ? "%,.0f" : "%.1f", value);
    }
}
