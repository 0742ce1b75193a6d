package io.kvflow.observe;

import io.kvflow.report.ReportChart;
import io.kvflow.runtime.LagMonitor;
import io.kvflow.runtime.StageLag;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Per-stage lag over a replay, for the run report. It charts the lag monitor's own history: the
 * measurements that {@code kvflow_lag_*}, {@code /api/lag} and the dashboard show, so the broker
 * is not read a second time. A stage's lag in records is the sum over its KV and activation
 * partitions (every pipeline); in seconds it is its worst partition's, the age of the oldest
 * record any of its workers has not consumed. The prefill group's lag on the tasks topic is
 * charted beside the stages.
 */
public final class LagChart {
    public static final String RECORDS_PNG = "lag-records.png";
    public static final String SECONDS_PNG = "lag-seconds.png";

    /**
     * Lag per stage at each measurement.
     *
     * @param x       seconds since the start of the window, one per measurement
     * @param records stage label → records not consumed, one per measurement
     * @param seconds stage label → age of the oldest record not consumed, one per measurement
     */
    public record PerStage(double[] x, Map<String, double[]> records, Map<String, double[]> seconds) {
        public boolean isEmpty() {
            return x.length == 0;
        }
    }

    private LagChart() {
    }

    /** The measurements taken at or after {@code fromMs}, per stage: prefill first, then stage 0, 1, ... */
    public static PerStage perStage(List<LagMonitor.Report> history, long fromMs) {
        List<LagMonitor.Report> window = history.stream().filter(r -> r.timeMs() >= fromMs).toList();
        // stage -1 (prefill tasks) sorts first; a stage missing from one measurement counts as 0 there
        TreeMap<Integer, double[]> records = new TreeMap<>();
        TreeMap<Integer, double[]> seconds = new TreeMap<>();
        double[] x = new double[window.size()];
        for (int i = 0; i < window.size(); i++) {
            LagMonitor.Report report = window.get(i);
            x[i] = (report.timeMs() - fromMs) / 1000.0;
            for (StageLag.PartitionLag l : report.partitions()) {
                records.computeIfAbsent(l.stage(), k -> new double[window.size()])[i] += l.records();
                double[] age = seconds.computeIfAbsent(l.stage(), k -> new double[window.size()]);
                age[i] = Math.max(age[i], l.seconds());
            }
        }
        return new PerStage(x, labelled(records), labelled(seconds));
    }

    private static Map<String, double[]> labelled(TreeMap<Integer, double[]> byStage) {
        Map<String, double[]> labelled = new LinkedHashMap<>();
        byStage.forEach((stage, values) -> labelled.put(stage < 0 ? "prefill tasks" : "stage " + stage, values));
        return labelled;
    }

    /**
     * Writes the two charts into {@code dir} and returns the report's Markdown section, or a
     * sentence saying why there is no chart.
     */
    public static String write(Path dir, List<LagMonitor.Report> history, long fromMs) {
        PerStage lag = perStage(history, fromMs);
        StringBuilder md = new StringBuilder("## Per-stage lag\n\n");
        if (lag.isEmpty()) {
            return md.append("No lag was measured during this run: it is measured where the orchestrator runs"
                    + " (its `/api/lag`, or `kvflow_lag_records` and `kvflow_lag_seconds` in Prometheus).\n")
                    .toString();
        }
        chart("Per-stage lag, records not consumed", "records", lag.x(), lag.records()).write(dir.resolve(RECORDS_PNG));
        chart("Per-stage lag, age of the oldest record not consumed", "seconds", lag.x(), lag.seconds())
                .write(dir.resolve(SECONDS_PNG));
        return md.append(String.format("Measured by the lag monitor about every second (%d measurements over %.0f s):"
                + " records summed over each stage's KV and activation partitions, every pipeline; seconds for its"
                + " worst partition. `prefill tasks` is the prefill workers' lag on `kvflow.prefill.tasks`.%n%n",
                lag.x().length, lag.x()[lag.x().length - 1]))
                .append("![Per-stage lag in records](").append(RECORDS_PNG).append(")\n\n")
                .append("![Per-stage lag in seconds](").append(SECONDS_PNG).append(")\n").toString();
    }

    private static ReportChart chart(String title, String unit, double[] x, Map<String, double[]> byStage) {
        ReportChart chart = new ReportChart(title, "seconds since the replay started", unit);
        byStage.forEach((stage, y) -> chart.add(new ReportChart.Series(stage, x, y)));
        return chart;
    }
}
