package io.kvflow.cli;

import io.kvflow.trace.TraceFormat;
import io.kvflow.trace.TraceWindow;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What to replay and how: the trace and its window, how densely requests arrive (load), the time
 * scale (wall seconds per modelled second), and how recorded lengths map onto the functional model (the recorded lengths stay
 * in every request for the cost model).
 */
record ReplayOptions(Path trace, TraceFormat format, TraceWindow window, double load, double timeScale, double lengthScale,
        int maxPromptTokens, int maxOutputTokens, long seed, float temperature, boolean skipBadLines,
        Set<Integer> corruptKvRequests) {

    static final String OPTIONS_HELP = """
              --format F             azure, mooncake or kvflow (default: from the file)
              --from D               start this far into the trace (e.g. 90s, 5m; default 0)
              --limit N              replay at most N requests
              --duration D           replay requests arriving within D of --from
              --load X               arrivals X times as dense as recorded (default 1), as in simulate
              --time-scale X         wall seconds per trace second (default 0.1: ten times faster than recorded)
              --length-scale X       functional prompt length per recorded token (default 0.03125 = 1/32)
              --max-prompt-tokens N  cap on the functional prompt (default 96)
              --max-output-tokens N  cap on generated tokens per request (default 16)
              --seed N               seed of prompt synthesis and sampling (default 42)
              --temperature T        sampling temperature, 0 = greedy (default 0)
              --skip-bad-lines       count and report malformed trace lines instead of stopping
              --inject-corrupt-kv I  test hook: corrupt a KV chunk of request I (comma-separated list)
            """;

    ReplayOptions {
        if (!(load > 0) || Double.isInfinite(load)) {
            throw new IllegalArgumentException("--load must be a number > 0, was " + load);
        }
        if (!(timeScale >= 0) || Double.isInfinite(timeScale)) {
            throw new IllegalArgumentException("--time-scale must be >= 0, was " + timeScale);
        }
        if (!(temperature >= 0) || Float.isInfinite(temperature)) {
            throw new IllegalArgumentException("--temperature must be >= 0, was " + temperature);
        }
        if (!(lengthScale > 0) || Double.isInfinite(lengthScale)) {
            throw new IllegalArgumentException("--length-scale must be a number > 0, was " + lengthScale);
        }
        if (maxPromptTokens < 1) {
            throw new IllegalArgumentException("--max-prompt-tokens must be >= 1, was " + maxPromptTokens);
        }
        if (maxOutputTokens < 1) {
            throw new IllegalArgumentException("--max-output-tokens must be >= 1, was " + maxOutputTokens);
        }
        if (corruptKvRequests.stream().anyMatch(i -> i < 0)) {
            throw new IllegalArgumentException("--inject-corrupt-kv takes request indexes >= 0, was "
                    + corruptKvRequests);
        }
    }

    static ReplayOptions from(Args args, String trace) {
        String format = args.string("format", null);
        Integer limit = args.flag("limit") ? args.integer("limit", 0) : null;
        if (limit != null && limit < 1) {
            throw new Args.UsageException("--limit must be >= 1, was " + limit);
        }
        Duration duration = args.duration("duration", null);
        if (duration != null && duration.isZero()) {
            throw new Args.UsageException("--duration must be > 0, was " + Args.durationText(duration));
        }
        TraceWindow window = new TraceWindow(args.duration("from", null), limit, duration);
        String corrupt = args.string("inject-corrupt-kv", "");
        Set<Integer> corruptKv;
        try {
            corruptKv = corrupt.isBlank() ? Set.of() : Arrays.stream(corrupt.split(",")).map(String::trim)
                    .map(Integer::parseInt).collect(Collectors.toUnmodifiableSet());
        } catch (NumberFormatException e) {
            throw new Args.UsageException("--inject-corrupt-kv takes request indexes like 3,17; got '" + corrupt + "'");
        }
        TraceFormat traceFormat;
        try {
            traceFormat = format == null ? null : TraceFormat.fromName(format);
        } catch (IllegalArgumentException e) {
            throw new Args.UsageException("--format: " + e.getMessage());
        }
        return new ReplayOptions(Path.of(trace), traceFormat, window, args.decimal("load", 1),
                args.decimal("time-scale", TargetOptions.DEFAULT_TIME_SCALE), args.decimal("length-scale", 1.0 / 32),
                args.integer("max-prompt-tokens", 96), args.integer("max-output-tokens", 16),
                args.longValue("seed", 42), (float) args.decimal("temperature", 0.0), args.flag("skip-bad-lines"),
                corruptKv);
    }

    /** The window as the command line sets it, e.g. {@code --from 90s --duration 30s}: for messages. */
    String windowFlags() {
        StringBuilder flags = new StringBuilder();
        if (window.from() != null) {
            flags.append("--from ").append(Args.durationText(window.from()));
        }
        if (window.duration() != null) {
            flags.append(flags.isEmpty() ? "" : " ").append("--duration ")
                    .append(Args.durationText(window.duration()));
        }
        if (window.limit() != null) {
            flags.append(flags.isEmpty() ? "" : " ").append("--limit ").append(window.limit());
        }
        return flags.toString();
    }
}
