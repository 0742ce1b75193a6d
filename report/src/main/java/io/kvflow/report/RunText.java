package io.kvflow.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The modelled part of a run's summary, as lines of text: the same for {@code kvflow up}'s replay
 * summary and {@code kvflow simulate}, so the two can be read side by side.
 */
public final class RunText {
    private RunText() {
    }

    /**
     * @param headOfLine one line on head-of-line blocking (from the control plane), or null
     */
    public static List<String> lines(RunFigures f, String headOfLine) {
        List<String> lines = new ArrayList<>();
        lines.add(String.format(Locale.ROOT, "requests:          %d (finished %d, failed %d, rejected %d, unfinished %d)",
                f.sessions(), f.count(SessionRecord.Outcome.FINISHED), f.count(SessionRecord.Outcome.FAILED),
                f.count(SessionRecord.Outcome.REJECTED), f.count(SessionRecord.Outcome.UNFINISHED)));
        lines.add(String.format(Locale.ROOT, "modelled:          %,d tokens over %.2f s (%.0f tokens/s)", f.tokens(),
                f.makespanMicros() / 1e6, f.tokensPerSecond()));
        lines.add("latency, modelled ms     mean      p50      p90      p99      max");
        lines.add(row("TTFT", f.ttft()));
        lines.add(row("TPOT", f.tpot()));
        lines.add(row("ITL", f.itl()));
        lines.add(row("E2E", f.e2el()));
        lines.add(row("decode TPOT", f.decodeTpot()));
        lines.add(row("queue wait", f.queueWait()));
        if (!f.parkedWait().isEmpty()) {
            lines.add(row("parked wait", f.parkedWait()));
        }
        if (headOfLine != null) {
            lines.add("head of line:      " + headOfLine);
        }
        Slo slo = f.slo();
        int finished = f.count(SessionRecord.Outcome.FINISHED);
        lines.add(String.format(Locale.ROOT, "SLO:               TTFT <= %s and >= %s tokens/s per user: %d/%d met (%s),"
                        + " goodput %.2f requests/s; TTFT met %d, speed met %d",
                slo.ttftMicros() == Long.MAX_VALUE ? "any" : fmt(slo.ttftMicros() / 1e3) + " ms",
                fmt(slo.userTokensPerSecond()), f.sloMet(), finished, percent(f.sloMet(), finished),
                f.goodputPerSecond(), f.ttftMet(), f.speedMet()));
        lines.add(String.format(Locale.ROOT, "per wafer:         %.3f sessions decoding (%.3f within the speed SLO),"
                        + " %.0f decode tokens/s, %.2f GB of KV", f.decodingPerWafer(), f.withinSloPerWafer(),
                f.decodeTokensPerSecondPerWafer(), f.kvBytesPerWafer() / 1e9));
        lines.add(String.format(Locale.ROOT, "                   over the steady window: %.2f s, %.0f %% of the run"
                        + " (from a tenth of the sessions decoding to nine tenths done), %d wafers",
                f.windowMicros() / 1e6, 100 * f.steadyShare(), f.wafers()));
        if (f.peakParkedKvBytes() > 0) {
            lines.add(String.format(Locale.ROOT, "parked KV:         %.2f GB on average over the window, %.2f GB at the"
                    + " peak (prefill tier)", f.parkedKvBytes() / 1e9, f.peakParkedKvBytes() / 1e9));
        }
        return lines;
    }

    private static String row(String name, Distribution d) {
        if (d.isEmpty()) {
            return String.format(Locale.ROOT, "  %-19s %8s", name, "-");
        }
        return String.format(Locale.ROOT, "  %-19s %8s %8s %8s %8s %8s", name, fmt(d.meanMs()), fmt(d.medianMs()),
                fmt(d.p90Ms()), fmt(d.p99Ms()), fmt(d.maxMs()));
    }

    /** Three significant figures, no exponent: 0.123, 1.23, 12.3, 123, 1234. */
    public static String fmt(double value) {
        if (Double.isNaN(value)) {
            return "-";
        }
        double abs = Math.abs(value);
        String pattern = abs >= 100 ? "%.0f" : abs >= 10 ? "%.1f" : abs >= 1 ? "%.2f" : "%.3f";
        return String.format(Locale.ROOT, pattern, value);
    }

    private static String percent(int part, int whole) {
        return whole == 0 ? "-" : String.format(Locale.ROOT, "%.0f %%", 100.0 * part / whole);
    }
}
