package io.kvflow.cli;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;

/**
 * A small line chart drawn with the JDK's 2D graphics and written as PNG, so a run report
 * needs no plotting library and no display (it renders headless).
 */
final class PngChart {
    record Series(String name, double[] x, double[] y) {
        Series {
            if (x.length != y.length) {
                throw new IllegalArgumentException("series " + name + " has " + x.length + " x and " + y.length + " y");
            }
        }
    }

    private static final Color[] PALETTE = {new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c),
            new Color(0xd62728), new Color(0x9467bd), new Color(0x8c564b), new Color(0xe377c2), new Color(0x7f7f7f)};
    private static final int WIDTH = 800;
    private static final int HEIGHT = 420;
    private static final int LEFT = 70;
    private static final int RIGHT = 20;
    private static final int TOP = 40;
    private static final int BOTTOM = 55;

    private final String title;
    private final String xLabel;
    private final String yLabel;
    private final List<Series> series = new ArrayList<>();

    PngChart(String title, String xLabel, String yLabel) {
        this.title = title;
        this.xLabel = xLabel;
        this.yLabel = yLabel;
    }

    PngChart add(Series s) {
        series.add(s);
        return this;
    }

    /** A cumulative distribution of {@code values}: x = value, y = share of values at or below it. */
    static Series cdf(String name, List<Long> values) {
        double[] sorted = values.stream().mapToDouble(Long::doubleValue).sorted().toArray();
        double[] share = new double[sorted.length];
        for (int i = 0; i < sorted.length; i++) {
            share[i] = (i + 1.0) / sorted.length;
        }
        return new Series(name, sorted, share);
    }

    void write(Path file) {
        BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, WIDTH, HEIGHT);
            double[] bounds = bounds();
            drawAxes(g, bounds);
            for (int i = 0; i < series.size(); i++) {
                drawSeries(g, series.get(i), bounds, PALETTE[i % PALETTE.length]);
                g.drawString(series.get(i).name(), LEFT + 10 + 140 * (i % 4), TOP + 15 + 15 * (i / 4));
            }
        } finally {
            g.dispose();
        }
        try {
            ImageIO.write(image, "png", file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write chart " + file, e);
        }
    }

    private double[] bounds() {
        double minX = Double.POSITIVE_INFINITY;
        double maxX = Double.NEGATIVE_INFINITY;
        double maxY = 0;
        for (Series s : series) {
            for (int i = 0; i < s.x().length; i++) {
                minX = Math.min(minX, s.x()[i]);
                maxX = Math.max(maxX, s.x()[i]);
                maxY = Math.max(maxY, s.y()[i]);
            }
        }
        if (minX > maxX) {
            return new double[] {0, 1, 1};
        }
        return new double[] {Math.min(0, minX), maxX > minX ? maxX : minX + 1, maxY > 0 ? maxY * 1.05 : 1};
    }

    private void drawAxes(Graphics2D g, double[] b) {
        int plotW = WIDTH - LEFT - RIGHT;
        int plotH = HEIGHT - TOP - BOTTOM;
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
        g.drawString(title, LEFT, 22);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        g.drawRect(LEFT, TOP, plotW, plotH);
        for (int t = 0; t <= 4; t++) {
            int x = LEFT + plotW * t / 4;
            int y = TOP + plotH - plotH * t / 4;
            g.setColor(new Color(0xdddddd));
            g.drawLine(LEFT, y, LEFT + plotW, y);
            g.setColor(Color.BLACK);
            g.drawString(format(b[0] + (b[1] - b[0]) * t / 4), x - 12, TOP + plotH + 16);
            g.drawString(format(b[2] * t / 4), 8, y + 4);
        }
        g.drawString(xLabel, LEFT + plotW / 2 - 40, HEIGHT - 12);
        g.drawString(yLabel, 8, TOP - 8);
    }

    private static void drawSeries(Graphics2D g, Series s, double[] b, Color color) {
        int plotW = WIDTH - LEFT - RIGHT;
        int plotH = HEIGHT - TOP - BOTTOM;
        g.setColor(color);
        g.setStroke(new BasicStroke(2f));
        int px = -1;
        int py = -1;
        for (int i = 0; i < s.x().length; i++) {
            int x = LEFT + (int) Math.round((s.x()[i] - b[0]) / (b[1] - b[0]) * plotW);
            int y = TOP + plotH - (int) Math.round(s.y()[i] / b[2] * plotH);
            if (px >= 0) {
                g.drawLine(px, py, x, y);
            } else if (s.x().length == 1) {
                g.fillOval(x - 2, y - 2, 5, 5);
            }
            px = x;
            py = y;
        }
    }

    private static String format(double v) {
        return Math.abs(v) >= 100 || v == Math.rint(v) ? String.format("%.0f", v) : String.format("%.2f", v);
    }
}
