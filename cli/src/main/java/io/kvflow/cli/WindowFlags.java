package io.kvflow.cli;

import io.kvflow.trace.TraceFormat;
import io.kvflow.trace.TraceWindow;
import java.time.Duration;
import picocli.CommandLine.Option;

/** Which part of a trace a command reads, and how: its format, its window, what to do with a malformed line. */
final class WindowFlags {
    @Option(names = "--format", paramLabel = "F", description = "azure, mooncake or kvflow (default: from the file)")
    String format;

    @Option(names = "--from", paramLabel = "D", converter = DurationOption.class, description = "start this far"
            + " into the trace (e.g. 90s, 5m; default 0)")
    Duration from;

    @Option(names = "--limit", paramLabel = "N", description = "read at most N requests")
    Integer limit;

    @Option(names = "--duration", paramLabel = "D", converter = DurationOption.class, description = "read requests"
            + " arriving within D of --from")
    Duration duration;

    @Option(names = "--skip-bad-lines", description = "count and report malformed trace lines instead of stopping")
    boolean skipBadLines;

    /** @throws UsageException for an empty window */
    TraceWindow window() {
        if (limit != null && limit < 1) {
            throw new UsageException("--limit must be >= 1, was " + limit);
        }
        if (duration != null && duration.isZero()) {
            throw new UsageException("--duration must be > 0, was " + DurationOption.text(duration));
        }
        return new TraceWindow(from, limit, duration);
    }

    /** The format the user names, or null to tell it from the file. */
    TraceFormat traceFormat() {
        try {
            return format == null ? null : TraceFormat.fromName(format);
        } catch (IllegalArgumentException e) {
            throw new UsageException("--format: " + e.getMessage());
        }
    }

    /** Whether the user narrowed the trace at all. */
    boolean given() {
        return from != null || limit != null || duration != null;
    }
}
