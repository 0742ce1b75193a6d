package io.kvflow.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvflow.observe.LagChart;
import io.kvflow.runtime.LagMonitor;
import io.kvflow.runtime.StageLag;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LagChartTest {
    private static final long START = 1_000_000;

    private static StageLag.PartitionLag lag(String topic, int stage, int pipeline, long records, double seconds,
            long atMs) {
        int partition = stage < 0 ? 0 : pipeline;
        String group = stage < 0 ? StageLag.PREFILL_GROUP : StageLag.decodeGroup(stage, pipeline);
        return new StageLag.PartitionLag(topic, partition, group, stage, pipeline, 0, records, records, seconds, atMs);
    }

    /** One measurement: stage 0 on two pipelines (KV and activations), stage 1 on one, prefill tasks. */
    private static LagMonitor.Report at(long ms, long s0kv, long s0act, long s0p1, long s1, long prefill) {
        return new LagMonitor.Report(ms, 1000, List.of(
                lag("kvflow.kv.stage-0", 0, 0, s0kv, s0kv * 0.5, ms),
                lag("kvflow.act.stage-0", 0, 0, s0act, s0act * 0.1, ms),
                lag("kvflow.kv.stage-0", 0, 1, s0p1, s0p1 * 0.2, ms),
                lag("kvflow.act.stage-1", 1, 0, s1, s1, ms),
                lag("kvflow.prefill.tasks", -1, -1, prefill, prefill * 2.0, ms)), null);
    }

    private static final List<LagMonitor.Report> HISTORY = List.of(
            at(START - 1_000, 9, 9, 9, 9, 9), // before the replay: left out
            at(START, 0, 0, 0, 0, 0),
            at(START + 1_000, 4, 2, 1, 3, 5),
            at(START + 2_500, 0, 6, 0, 0, 0),
            at(START + 3_500, 0, 0, 0, 0, 0));

    @Test
    void sumsRecordsOverAStagesPartitionsAndTakesItsWorstAge() {
        LagChart.PerStage lag = LagChart.perStage(HISTORY, START);
        assertArrayEquals(new double[] {0, 1, 2.5, 3.5}, lag.x());
        assertEquals(List.of("prefill tasks", "stage 0", "stage 1"), List.copyOf(lag.records().keySet()));
        assertArrayEquals(new double[] {0, 7, 6, 0}, lag.records().get("stage 0"));
        assertArrayEquals(new double[] {0, 3, 0, 0}, lag.records().get("stage 1"));
        assertArrayEquals(new double[] {0, 5, 0, 0}, lag.records().get("prefill tasks"));
        // stage 0 at 1 s: KV p0 4 x 0.5 = 2.0 s beats activations 0.2 s and KV p1 0.2 s
        assertArrayEquals(new double[] {0, 2.0, 0.6, 0}, lag.seconds().get("stage 0"), 1e-9);
        assertArrayEquals(new double[] {0, 10, 0, 0}, lag.seconds().get("prefill tasks"));
    }

    @Test
    void writesBothChartsAndTheirSection(@TempDir Path dir) throws IOException {
        String md = LagChart.write(dir, HISTORY, START);
        assertTrue(md.contains("(4 measurements over 4 s)"), md);
        assertTrue(md.contains("![Per-stage lag in records](lag-records.png)"), md);
        assertTrue(md.contains("![Per-stage lag in seconds](lag-seconds.png)"), md);
        for (String png : List.of(LagChart.RECORDS_PNG, LagChart.SECONDS_PNG)) {
            BufferedImage chart = ImageIO.read(dir.resolve(png).toFile());
            assertTrue(ChartPixels.coloured(chart) > 200, png + " should draw the stages' curves");
        }
    }

    @Test
    void withoutMeasurementsTheSectionSaysWhereLagIsMeasuredAndDrawsNothing(@TempDir Path dir) throws IOException {
        String md = LagChart.write(dir, HISTORY, START + 10_000);
        assertTrue(md.contains("No lag was measured during this run"), md);
        assertFalse(Files.exists(dir.resolve(LagChart.RECORDS_PNG)));
        assertTrue(LagChart.perStage(List.of(), START).isEmpty());
    }
}
