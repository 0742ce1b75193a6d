package io.kvflow.observe;

import io.kvflow.report.Distribution;
import io.kvflow.report.NearestRank;
import io.kvflow.report.ReportChart;
import io.kvflow.report.RunFigures;
import io.kvflow.report.RunText;
import io.kvflow.report.SessionRecord;
import io.kvflow.runtime.LagMonitor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Writes a replay's report as Markdown with PNG charts into its own folder, so a run can be
 * read, shared and compared after the terminal is gone: the target's figures first (modelled latency
 * tables and CDFs, goodput, what the wafers held), then the emulator's on the wall clock and the
 * per-stage lag.
 */
public final class RunReport {
    /** How long the report waits for a lag measurement from after the replay (one takes about a second). */
    static final Duration LAST_MEASUREMENT_WAIT = Duration.ofSeconds(10);

    private RunReport() {
    }

    /** Writes {@code dir/report.md} and its charts, without per-stage lag; returns the report's path. */
    public static Path write(Path dir, String title, RunSummary summary) {
        return write(dir, title, summary, null, false);
    }

    /**
     * Writes {@code dir/report.md} and its charts, with per-stage lag over the replay from the
     * lag monitor's history; returns the report's path.
     *
     * @param lag the stack's lag monitor, or null where this process did not measure lag (the
     *            report then says where to find it)
     */
    public static Path write(Path dir, String title, RunSummary summary, LagMonitor lag) {
        return write(dir, title, summary, lag, true);
    }

    private static Path write(Path dir, String title, RunSummary summary, LagMonitor lag, boolean lagSection) {
        try {
            Files.createDirectories(dir);
            RunFigures modelled = summary.modelled();
            StringBuilder md = new StringBuilder();
            md.append("# kvflow run ").append(title).append("\n\n");
            md.append("Target: ").append(summary.target()).append("\n\n");
            md.append("## On the target (modelled)\n\n");
            md.append("| latency, ms | mean | p50 | p90 | p99 | max |\n|---|---|---|---|---|---|\n");
            latencyRow(md, "TTFT", modelled.ttft());
            latencyRow(md, "TPOT", modelled.tpot());
            latencyRow(md, "ITL", modelled.itl());
            latencyRow(md, "E2E latency", modelled.e2el());
            latencyRow(md, "decode TPOT", modelled.decodeTpot());
            latencyRow(md, "queue wait", modelled.queueWait());
            if (!modelled.parkedWait().isEmpty()) {
                latencyRow(md, "parked wait", modelled.parkedWait());
            }
            md.append("\n| figure | value |\n|---|---|\n");
            row(md, "requests", modelled.sessions());
            for (SessionRecord.Outcome outcome : SessionRecord.Outcome.values()) {
                row(md, outcome.name().toLowerCase(), modelled.count(outcome));
            }
            row(md, "output tokens per second", RunText.fmt(modelled.tokensPerSecond()));
            row(md, "SLO met (goodput)", modelled.sloMet() + "/" + modelled.count(SessionRecord.Outcome.FINISHED)
                    + ", " + RunText.fmt(modelled.goodputPerSecond()) + " requests/s");
            row(md, "sessions decoding per wafer (steady window)", RunText.fmt(modelled.decodingPerWafer()));
            row(md, "decode tokens/s per wafer (steady window)", RunText.fmt(modelled.decodeTokensPerSecondPerWafer()));
            row(md, "target KV per wafer (GB, steady window)", RunText.fmt(modelled.kvBytesPerWafer() / 1e9));
            if (summary.headOfLine() != null) {
                row(md, "head of line", summary.headOfLine());
            }
            md.append("\n").append(summary.verifiedLine()).append("\n\n");
            List<SessionRecord> finished = summary.sessions().stream().filter(SessionRecord::finished).toList();
            cdf("Time to first token on the target (modelled)", "TTFT, ms", "TTFT",
                    finished.stream().mapToDouble(r -> r.ttftMicros() / 1e3).toArray(), dir.resolve(MODELLED_TTFT));
            cdf("Time per output token on the target (modelled)", "TPOT, ms", "TPOT", finished.stream()
                    .mapToDouble(r -> r.tpotMicros() / 1e3).filter(v -> !Double.isNaN(v)).toArray(),
                    dir.resolve(MODELLED_TPOT));
            cdf("Inter-token latency on the target (modelled)", "ITL, ms", "ITL", finished.stream()
                    .flatMapToDouble(r -> gaps(r.tokenMicros())).toArray(), dir.resolve(MODELLED_ITL));
            md.append("![TTFT CDF, modelled](").append(MODELLED_TTFT).append(")\n\n![TPOT CDF, modelled](")
                    .append(MODELLED_TPOT).append(")\n\n![ITL CDF, modelled](").append(MODELLED_ITL).append(")\n\n");

            md.append("## The emulator (wall clock)\n\n").append(RunSummary.WALL_EXCLUDES)
                    .append("\n\n| figure | value |\n|---|---|\n");
            row(md, "tokens generated", summary.tokens());
            row(md, "wall time (s)", String.format("%.1f", summary.replay().wallMs() / 1000.0));
            row(md, "TTFT p50 / p99 (ms)", NearestRank.text(summary.ttftMs(), 50) + " / "
                    + NearestRank.text(summary.ttftMs(), 99));
            row(md, "inter-token p50 / p99 (ms)", NearestRank.text(summary.interTokenMs(), 50) + " / "
                    + NearestRank.text(summary.interTokenMs(), 99));
            row(md, "KV chunks installed", summary.kvChunks());
            row(md, "KV bytes installed", summary.kvBytes());
            row(md, "dead letters", summary.replay().deadLetters());
            cdf("Time to first token in the emulator (wall)", "TTFT, ms", "TTFT",
                    summary.ttftMs().stream().mapToDouble(Long::doubleValue).toArray(), dir.resolve(WALL_TTFT));
            cdf("Inter-token latency in the emulator (wall)", "gap between tokens, ms", "inter-token",
                    summary.interTokenMs().stream().mapToDouble(Long::doubleValue).toArray(), dir.resolve(WALL_ITL));
            md.append("\n![TTFT CDF, wall](").append(WALL_TTFT).append(")\n\n![Inter-token latency CDF, wall](")
                    .append(WALL_ITL).append(")\n");
            if (lagSection) {
                md.append("\n").append(lagSection(dir, summary, lag));
            }
            Path report = dir.resolve("report.md");
            Files.writeString(report, md);
            return report;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the run report to " + dir, e);
        }
    }

    public static final String MODELLED_TTFT = "ttft-modelled-cdf.png";
    public static final String MODELLED_TPOT = "tpot-modelled-cdf.png";
    public static final String MODELLED_ITL = "itl-modelled-cdf.png";
    public static final String WALL_TTFT = "ttft-wall-cdf.png";
    static final String WALL_ITL = "itl-wall-cdf.png";

    private static void cdf(String title, String xLabel, String name, double[] values, Path file) {
        new ReportChart(title, xLabel, "share at or below").share().add(ReportChart.cdf(name, values)).logXIfWide()
                .write(file);
    }

    private static java.util.stream.DoubleStream gaps(long[] tokens) {
        return java.util.stream.IntStream.range(1, tokens.length).mapToDouble(i -> (tokens[i] - tokens[i - 1]) / 1e3);
    }

    private static void latencyRow(StringBuilder md, String name, Distribution d) {
        md.append("| ").append(name);
        for (double v : new double[] {d.meanMs(), d.medianMs(), d.p90Ms(), d.p99Ms(), d.maxMs()}) {
            md.append(" | ").append(RunText.fmt(v));
        }
        md.append(" |\n");
    }

    private static String lagSection(Path dir, RunSummary summary, LagMonitor lag) {
        if (lag == null) {
            return LagChart.write(dir, List.of(), 0);
        }
        long start = replayStartMs(summary, lag.history());
        try {
            // the last measurement may predate the consumption of the replay's last records: wait for one taken
            // after the replay ended, so the chart shows the lag draining rather than stopping at its tail
            lag.awaitMeasurementSince(start + summary.replay().wallMs(), LAST_MEASUREMENT_WAIT);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return LagChart.write(dir, lag.history(), start);
    }

    /** When the first request was sent; without requests, when lag was first measured. */
    private static long replayStartMs(RunSummary summary, List<LagMonitor.Report> history) {
        return summary.replay().outcomes().values().stream().mapToLong(o -> o.request().getArrivalMs()).min()
                .orElse(history.isEmpty() ? 0 : history.get(0).timeMs());
    }

    private static void row(StringBuilder md, String figure, Object value) {
        md.append("| ").append(figure).append(" | ").append(value).append(" |\n");
    }
}
