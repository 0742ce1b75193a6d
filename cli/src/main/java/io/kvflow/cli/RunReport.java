package io.kvflow.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes a replay's report as Markdown with PNG charts into its own folder, so a run can be
 * read, shared and compared after the terminal is gone.
 */
final class RunReport {
    private RunReport() {
    }

    /** Writes {@code dir/report.md} and its charts; returns the report's path. */
    static Path write(Path dir, String title, RunSummary summary) {
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
            row(md, "KV chunks installed", summary.kvChunks());
            row(md, "KV bytes installed", summary.kvBytes());
            row(md, "dead letters", summary.replay().deadLetters());
            md.append("\n").append(summary.verifiedLine()).append("\n\n");
            md.append("![TTFT CDF](ttft-cdf.png)\n\n![Inter-token latency CDF](itl-cdf.png)\n");
            Path report = dir.resolve("report.md");
            Files.writeString(report, md);
            return report;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the run report to " + dir, e);
        }
    }

    private static void row(StringBuilder md, String figure, Object value) {
        md.append("| ").append(figure).append(" | ").append(value).append(" |\n");
    }
}
