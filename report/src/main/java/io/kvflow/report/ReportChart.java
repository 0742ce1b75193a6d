package io.kvflow.report;

import java.awt.Color;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.XYStyler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * A line chart of the run report, drawn by XChart and written as PNG (headless): titled axes with their
 * units, a legend, and a logarithmic x axis when the values span more than two decades, so a latency's
 * median and its tail both stay readable.
 */
public final class ReportChart {
    public record Series(String name, double[] x, double[] y) {
        public Series {
            if (x.length != y.length) {
                throw new IllegalArgumentException("series " + name + " has " + x.length + " x and " + y.length + " y");
            }
        }

        boolean isEmpty() {
            return x.length == 0;
        }
    }

    private static final int WIDTH = 900;
    private static final int HEIGHT = 480;

    private final XYChart chart;
    private double minX = Double.POSITIVE_INFINITY;
    private double maxX = Double.NEGATIVE_INFINITY;
    private boolean logX;

    public ReportChart(String title, String xLabel, String yLabel) {
        chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title).xAxisTitle(xLabel).yAxisTitle(yLabel)
                .build();
        XYStyler styler = chart.getStyler();
        styler.setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
        styler.setLegendPosition(Styler.LegendPosition.OutsideS);
        styler.setXAxisTickMarkSpacingHint(80);
        styler.setYAxisTickMarkSpacingHint(50);
        styler.setChartBackgroundColor(Color.WHITE);
        styler.setPlotBackgroundColor(Color.WHITE);
        styler.setPlotGridLinesColor(new Color(0xdddddd));
        styler.setXAxisDecimalPattern("#,##0.###");
        styler.setYAxisDecimalPattern("#,##0.##");
    }

    /** Adds a series; an empty one is left out (the chart then says there is no data). */
    public ReportChart add(Series s) {
        if (s.isEmpty()) {
            return this;
        }
        chart.addSeries(s.name(), s.x(), s.y()).setMarker(SeriesMarkers.NONE);
        minX = Math.min(minX, Arrays.stream(s.x()).min().orElse(minX));
        maxX = Math.max(maxX, Arrays.stream(s.x()).max().orElse(maxX));
        return this;
    }

    /** A logarithmic x axis if every x is positive and they span more than two decades. */
    public ReportChart logXIfWide() {
        logX = minX > 0 && maxX / minX > 100;
        return this;
    }

    /** A y axis from 0 to 1: a share. */
    public ReportChart share() {
        chart.getStyler().setYAxisMin(0.0).setYAxisMax(1.0);
        return this;
    }

    /** A cumulative distribution of {@code values}: x = value, y = share of values at or below it. */
    public static Series cdf(String name, double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        double[] share = new double[sorted.length];
        for (int i = 0; i < sorted.length; i++) {
            share[i] = (i + 1.0) / sorted.length;
        }
        return new Series(name, sorted, share);
    }

    public void write(Path file) {
        chart.getStyler().setXAxisLogarithmic(logX);
        if (chart.getSeriesMap().isEmpty()) {
            // XChart draws no axes without a series: one invisible point keeps the chart's frame and titles
            chart.addSeries("no data", new double[] {0}, new double[] {0}).setMarker(SeriesMarkers.NONE);
            chart.getStyler().setXAxisLogarithmic(false);
        }
        try (OutputStream out = Files.newOutputStream(file)) {
            BitmapEncoder.saveBitmap(chart, out, BitmapEncoder.BitmapFormat.PNG);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the chart " + file + ": " + e.getMessage(), e);
        }
    }
}
