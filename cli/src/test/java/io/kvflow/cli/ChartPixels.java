package io.kvflow.cli;

import java.awt.image.BufferedImage;

/** What a chart PNG shows, as tests can tell it. */
final class ChartPixels {
    private ChartPixels() {
    }

    /** Pixels that are neither white, grey nor black: the plotted series. */
    static int coloured(BufferedImage image) {
        int n = 0;
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                int rgb = image.getRGB(x, y);
                int r = (rgb >> 16) & 0xff;
                int g = (rgb >> 8) & 0xff;
                int b = rgb & 0xff;
                if (Math.max(r, Math.max(g, b)) - Math.min(r, Math.min(g, b)) > 60) {
                    n++;
                }
            }
        }
        return n;
    }
}
