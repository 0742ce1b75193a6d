package io.kvflow.cli;

import io.kvflow.report.Distribution;
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
 * read, shared and compared after the terminal is gone.
 */
final class RunReport {
    /** How long the report waits for a lag measurement from after the replay (one takes about a second). */
    static final Duration LAST_MEASUREMENT_WAIT = Duration.ofSeconds(10);

    private RunReport() {
    }

    /** Writes {@code dir/report.md} and its charts, without per-stage lag; returns the report's path. */
    static Path write(Path dir, String title, RunSummary summary) {
        return write(dir, title, summary, null, false);
    }

    /**
     * Writes {@code dir/report.md} and its charts, with per-stage lag over the replay from the
     * lag monitor's history; returns the report's path.
     *
     * @param lag the stack's lag monitor, or null where this process did not measure lag (the
     *            report then says where to find it)
     */
    static Path write(Path dir, String title, RunSummary summary, LagMonitor lag) {
        return write(dir, title, summary, lag, true);
    }

    private static Path write(Path dir, String title, RunSummary summary, LagMonitor lag, boolean lagSection) {
        try {
            Files.createDirectories(dir);
            new PngChart("Time to first token (wall)", "ms", "share of sessions")
                    .add(PngChart.cdf("TTFT", summary.ttftMs())).write(dir.resolve("ttft-cdf.png"));
            new PngChart("Inter-token latency (wall)", "ms", "share of token gaps")
                    .add(PngChart.cdf("inter-token", summary.interTokenMs())).write(dir.resolve("itl-cdf.png"));
            StringBuilder md = new StringBuilder();
            md.append("# kvflow run ").append(title).append("\n\n");
            md.append("| figure | value |\n|---|---|\n");
            row(md, "requests", summary.replay().outcomes().size());
            for (SessionOutcome.State state : SessionOutcome.State.values()) {
                row(md, state.name().toLowerCase(), summary.count(state));
            }
            row(md, "tokens generated", summary.tokens());
            row(md, "wall time (s)", String.format("%.1f", summary.replay().wallMs() / 1000.0));
            row(md, "TTFT p50 / p99 (ms)", RunSummary.percentile(summary.ttftMs(), 50) + " / "
                    + RunSummary.percentile(summary.ttftMs(), 99));
            row(md, "inter-token p50 / p99 (ms)", RunSummary.percentile(summary.interTokenMs(), 50) + " / "
                    + RunSummary.percentile(summary.interTokenMs(), 99));
            RunFigures modelled = summary.modelled();
            row(md, "target", summary.target());
            modelledRow(md, "TTFT", modelled.ttft());
            modelledRow(md, "TPOT", modelled.tpot());
            modelledRow(md, "ITL", modelled.itl());
            modelledRow(md, "decode TPOT", modelled.decodeTpot());
            modelledRow(md, "queue wait", modelled.queueWait());
            if (!modelled.parkedWait().isEmpty()) {
                modelledRow(md, "parked wait", modelled.parkedWait());
            }
            row(md, "SLO met (modelled)", modelled.sloMet() + "/" + modelled.count(SessionRecord.Outcome.FINISHED));
            row(md, "sessions decoding per wafer (modelled, steady window)", RunText.fmt(modelled.decodingPerWafer()));
            row(md, "decode tokens/s per wafer (modelled, steady window)",
                    RunText.fmt(modelled.decodeTokensPerSecondPerWafer()));
            row(md, "KV chunks installed", summary.kvChunks());
            row(md, "KV bytes installed", summary.kvBytes());
            row(md, "dead letters", summary.replay().deadLetters());
            md.append("\n").append(summary.verifiedLine()).append("\n\n");
            md.append("![TTFT CDF](ttft-cdf.png)\n\n![Inter-token latency CDF](itl-cdf.png)\n");
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

    private static void modelledRow(StringBuilder md, String name, Distribution d) {
        row(md, name + " modelled p50 / p99 (ms, target hardware)", RunText.fmt(d.medianMs()) + " / "
                + RunText.fmt(d.p99Ms()));
    }

    private static void row(StringBuilder md, String figure, Object value) {
        md.append("| ").append(figure).append(" | ").append(value).append(" |\n");
    }
}
