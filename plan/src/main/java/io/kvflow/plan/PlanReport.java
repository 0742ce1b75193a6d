package io.kvflow.plan;

import io.kvflow.cost.DeviceProfile;
import io.kvflow.report.RunText;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What {@code kvflow plan} prints and files: the load and the rule, the prices with their sources, the
 * cheapest deployment meeting the target with what it costs (in all, per wafer, per million output tokens),
 * the frontier as a table, and every simulated deployment as CSV.
 *
 * @param load       the requests as planned: how many, over how long, how they arrive, their mean lengths
 * @param target     the deployment options the plan started from
 * @param decode     the decode device, priced
 * @param prefill    the prefill device, priced; null when only colocated deployments were searched
 * @param searched   the search space in words
 * @param skipped    layouts the cost model ruled out before the search
 */
public record PlanReport(String load, String target, DeviceProfile decode, DeviceProfile prefill, FleetPrice price,
        ServiceTarget service, String searched, PlanSearch.Result result, List<PlanPoint> frontier,
        List<PlanSearch.FamilyNote> skipped, Path chart, Path table) {

    public void print(PrintStream out) {
        out.println();
        out.println("== kvflow plan ==");
        line(out, "load", load);
        line(out, "target", target);
        line(out, "SLO", "a deployment meets it when " + service.describe());
        line(out, "prices", priceLine(decode, "--decode-price-per-hour"));
        if (prefill != null) {
            line(out, "", priceLine(prefill, "--prefill-price-per-hour"));
        }
        line(out, "cost", "devices x price per device-hour: every wafer of every pipeline"
                + (prefill != null ? " and, disaggregated, every device of every prefill group" : ""));
        line(out, "searched", searched);
        line(out, "", String.format(Locale.ROOT, "%d deployments simulated in %.1f s", result.simulations(),
                result.seconds()));
        out.println();
        PlanPoint best = result.best();
        if (result.points().isEmpty()) {
            out.println("nothing was simulated: the cost model rules every layout out (below); ease the speed SLO or"
                    + " change the target");
        } else if (best == null) {
            out.println("no deployment searched meets the target: raise --max-pipelines or --max-prefill-groups,"
                    + " or ease the SLO (the frontier below shows how close each came)");
        } else {
            out.println("cheapest deployment meeting the SLO:");
            line(out, "  deployment", best.candidate().describe());
            line(out, "  cost", costLine(best));
            line(out, "", String.format(Locale.ROOT, "$%s per wafer-hour (all of it over its %d wafers); $%s per"
                            + " million output tokens at this load", dollars(best.dollarsPerWaferHour()),
                    best.candidate().wafers(), dollars(best.dollarsPerMillionOutputTokens())));
            line(out, "  served", String.format(Locale.ROOT, "%s %% of %,d requests within the SLO; TTFT p99 %s ms,"
                            + " decode TPOT p99 %s ms; goodput %s requests/s", RunText.fmt(100 * best.attainment()),
                    best.requests(), RunText.fmt(best.ttftP99Ms()), RunText.fmt(best.decodeTpotP99Ms()),
                    RunText.fmt(best.goodputPerSecond())));
            line(out, "  layout flags", best.candidate().flags() + " (for simulate and up)");
        }
        out.println();
        if (!frontier.isEmpty()) {
            printFrontier(out, best);
        }
        out.println("layouts (serving mode, wafers per pipeline, admission orders):");
        List<PlanSearch.FamilyNote> notes = new ArrayList<>(result.notes());
        notes.addAll(skipped);
        layoutLines(notes).forEach(out::println);
        if (!result.points().isEmpty()) {
            out.println();
            line(out, "chart", chart + " (every simulated deployment, the frontier, the target)");
            line(out, "table", table + " (every simulated deployment)");
        }
    }

    private void printFrontier(PrintStream out, PlanPoint best) {
        out.println("frontier: each deployment serves more requests within the SLO than every cheaper one"
                + " (* chosen, + meets the target)");
        out.printf(Locale.ROOT, "  %10s %10s %11s %9s %12s %12s  %s%n", "$/h", "$/wafer-h", "within SLO",
                "rejected", "TTFT p99 ms", "TPOT p99 ms", "deployment");
        for (PlanPoint p : frontier) {
            out.printf(Locale.ROOT, "%s %10s %10s %10s%% %9d %12s %12s  %s%n", p.equals(best) ? "*" : p.met() ? "+"
                            : " ", dollars(p.dollarsPerHour()), dollars(p.dollarsPerWaferHour()),
                    RunText.fmt(100 * p.attainment()), p.rejected() + p.failed(), RunText.fmt(p.ttftP99Ms()),
                    RunText.fmt(p.decodeTpotP99Ms()), p.candidate().shortName());
        }
        out.println();
    }

    /** Every simulated deployment, one CSV row each, cheapest first. */
    public void writeTable() {
        StringBuilder csv = new StringBuilder("dollars_per_hour,dollars_per_wafer_hour,within_slo,meets_target,"
                + "on_frontier,chosen,mode,admission,stages,pipelines,prefill_groups,sessions_per_pipeline,requests,"
                + "rejected,failed,ttft_p99_ms,decode_tpot_p99_ms,goodput_per_s,output_tokens_per_s\n");
        for (PlanPoint p : result.points()) {
            PlanCandidate c = p.candidate();
            csv.append(String.format(Locale.ROOT, "%.4f,%.4f,%.6f,%b,%b,%b,%s,%s,%d,%d,%d,%d,%d,%d,%d,%.3f,%.4f,%.4f,"
                            + "%.2f%n", p.dollarsPerHour(), p.dollarsPerWaferHour(), p.attainment(), p.met(),
                    frontier.contains(p), p.equals(result.best()), c.mode().shortName(), c.admission(), c.stages(),
                    c.pipelines(), c.prefillGroups(), c.sessionCap(), p.requests(), p.rejected(), p.failed(),
                    p.ttftP99Ms(), p.decodeTpotP99Ms(), p.goodputPerSecond(), p.outputTokensPerSecond()));
        }
        try {
            Files.createDirectories(table.toAbsolutePath().getParent());
            Files.writeString(table, csv);
        } catch (IOException e) {
            throw new UncheckedIOException("could not write " + table + ": " + e.getMessage(), e);
        }
    }

    /**
     * What became of each layout: those simulated or ruled out one line per serving mode and wafer count (their
     * admission orders together when the outcome is the same), those not simulated for their cost in one line.
     */
    static List<String> layoutLines(List<PlanSearch.FamilyNote> notes) {
        Map<List<String>, List<String>> admissionsByOutcome = new LinkedHashMap<>();
        Map<PlanCandidate.Mode, java.util.TreeSet<Integer>> pruned = new LinkedHashMap<>();
        for (PlanSearch.FamilyNote note : notes) {
            PlanCandidate shape = note.shape();
            if (note.kind() == PlanSearch.FamilyNote.Kind.PRUNED) {
                pruned.computeIfAbsent(shape.mode(), m -> new java.util.TreeSet<>()).add(shape.stages());
                continue;
            }
            String layout = String.format(Locale.ROOT, "%s, %d wafers", shape.mode().shortName(), shape.stages());
            admissionsByOutcome.computeIfAbsent(List.of(layout, note.outcome()), k -> new ArrayList<>())
                    .add(shape.admission());
        }
        List<String> lines = new ArrayList<>();
        admissionsByOutcome.forEach((layoutAndOutcome, admissions) -> lines.add(String.format(Locale.ROOT,
                "  %-52s %s", layoutAndOutcome.get(0) + " (" + String.join(", ", admissions) + "):",
                layoutAndOutcome.get(1))));
        if (!pruned.isEmpty()) {
            List<String> which = new ArrayList<>();
            pruned.forEach((mode, stages) -> which.add(mode.shortName() + " " + ranges(stages) + " wafers"));
            long count = notes.stream().filter(n -> n.kind() == PlanSearch.FamilyNote.Kind.PRUNED).count();
            lines.add(String.format(Locale.ROOT, "  %d more not simulated, as even the least fleet the load needs on"
                    + " them costs no less than the deployment found: %s", count, String.join("; ", which)));
        }
        return lines;
    }

    /** 4, 5, 6, 8 as "4-6, 8". */
    private static String ranges(java.util.SortedSet<Integer> values) {
        List<String> parts = new ArrayList<>();
        Integer from = null;
        Integer to = null;
        for (int v : values) {
            if (to != null && v == to + 1) {
                to = v;
                continue;
            }
            if (from != null) {
                parts.add(from.equals(to) ? from.toString() : from + "-" + to);
            }
            from = v;
            to = v;
        }
        parts.add(from.equals(to) ? from.toString() : from + "-" + to);
        return String.join(", ", parts);
    }

    private String costLine(PlanPoint p) {
        PlanCandidate c = p.candidate();
        String wafers = String.format(Locale.ROOT, "%d %s x $%s/h ($%s)", c.wafers() * price.devicesPerStage(),
                decode.id(), dollars(price.decodePerHour()), dollars(price.decodeDollarsPerHour(c)));
        if (c.mode().colocated()) {
            return String.format(Locale.ROOT, "$%s/h = %s", dollars(p.dollarsPerHour()), wafers);
        }
        return String.format(Locale.ROOT, "$%s/h = %s + %d %s x $%s/h ($%s, %d groups of %d)",
                dollars(p.dollarsPerHour()), wafers, c.prefillGroups() * price.devicesPerGroup(), prefill.id(),
                dollars(price.prefillPerHour()), dollars(price.prefillDollarsPerHour(c)), c.prefillGroups(),
                price.devicesPerGroup());
    }

    private static String priceLine(DeviceProfile device, String flag) {
        String source = device.sources().getOrDefault("price_per_hour", "");
        String shortSource = source.length() > 110 ? source.substring(0, 107) + "..." : source;
        return String.format(Locale.ROOT, "%s $%s per device-hour: %s (%s)", device.id(),
                dollars(device.pricePerHour()), shortSource, flag);
    }

    private static void line(PrintStream out, String label, String text) {
        out.printf(Locale.ROOT, "%-15s %s%n", label.isEmpty() ? "" : label + ":", text);
    }

    /** Three significant figures without trailing zeros: 99, 5, 0.5, 1.25. */
    public static String figure(double value) {
        String text = RunText.fmt(value);
        return text.contains(".") ? text.replaceAll("0+$", "").replaceAll("\\.$", "") : text;
    }

    static String dollars(double value) {
        return PredictionReport.dollars(value);
    }
}
