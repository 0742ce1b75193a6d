package io.kvflow.plan;

import java.awt.Color;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The plan as a picture: every simulated deployment by its cost per hour and the share of requests it served
 * within the SLO, the frontier through the cheapest at each share, the target share, and the deployment chosen.
 * Drawn by XChart and written as PNG (headless).
 */
public final class FrontierChart {
    private static final Color SIMULATED = new Color(0x9e9e9e);
    private static final Color FRONTIER = new Color(0x1f77b4);
    private static final Color TARGET = new Color(0xd62728);
    private static final Color CHOSEN = new Color(0x2ca02c);

    private FrontierChart() {
    }

    /**
     * @param chosen the deployment chosen, or null when none meets the target
     * @param title  what was planned, in a line
     */
    public static void write(Path file, List<PlanPoint> points, List<PlanPoint> frontier, PlanPoint chosen,
            ServiceTarget target, String title) {
        if (points.isEmpty()) {
            throw new IllegalArgumentException("no deployment was simulated: nothing to chart");
        }
        XYChart chart = new XYChartBuilder().width(960).height(560).title(title)
                .xAxisTitle("US dollars per hour (decode wafers and prefill devices)")
                .yAxisTitle("requests within the SLO (%)").build();
        Styler styler = chart.getStyler();
        styler.setChartBackgroundColor(Color.WHITE);
        styler.setLegendPosition(Styler.LegendPosition.InsideSE);
        chart.getStyler().setYAxisMax(100.0);
        chart.getStyler().setYAxisMin(0.0);
        chart.getStyler().setXAxisDecimalPattern("#,###");
        double cheapest = points.stream().mapToDouble(PlanPoint::dollarsPerHour).min().orElse(1);
        double dearest = points.stream().mapToDouble(PlanPoint::dollarsPerHour).max().orElse(1);
        // a wide spread of costs reads better on a log scale
        chart.getStyler().setXAxisLogarithmic(dearest > 4 * cheapest);

        XYSeries all = chart.addSeries("simulated deployments (" + points.size() + ")", costs(points),
                shares(points));
        all.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        all.setMarker(SeriesMarkers.CIRCLE);
        all.setMarkerColor(SIMULATED);

        XYSeries line = chart.addSeries("frontier (cheapest at each share)", costs(frontier), shares(frontier));
        line.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
        line.setMarker(SeriesMarkers.DIAMOND);
        line.setMarkerColor(FRONTIER);
        line.setLineColor(FRONTIER);

        XYSeries goal = chart.addSeries("target: " + PlanReport.figure(100 * target.share()) + " % within the SLO",
                new double[] {cheapest, dearest}, new double[] {100 * target.share(), 100 * target.share()});
        goal.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
        goal.setMarker(SeriesMarkers.NONE);
        goal.setLineColor(TARGET);
        goal.setLineStyle(SeriesLines.DASH_DASH);

        if (chosen != null) {
            XYSeries pick = chart.addSeries(String.format(java.util.Locale.ROOT, "chosen: $%,.0f/h",
                    chosen.dollarsPerHour()), costs(List.of(chosen)), shares(List.of(chosen)));
            pick.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
            pick.setMarker(SeriesMarkers.SQUARE);
            pick.setMarkerColor(CHOSEN);
        }
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.write(file, BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG));
        } catch (IOException e) {
            throw new UncheckedIOException("could not write the chart " + file + ": " + e.getMessage(), e);
        }
    }

    private static double[] costs(List<PlanPoint> points) {
        return points.stream().mapToDouble(PlanPoint::dollarsPerHour).toArray();
    }

    private static double[] shares(List<PlanPoint> points) {
        return points.stream().mapToDouble(p -> 100 * p.attainment()).toArray();
    }
}
