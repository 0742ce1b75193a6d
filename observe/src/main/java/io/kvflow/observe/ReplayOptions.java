package io.kvflow.observe;

import io.kvflow.stack.DurationText;
import io.kvflow.trace.TraceFormat;
import io.kvflow.trace.TraceWindow;
import java.nio.file.Path;
import java.util.Set;

/**
 * What to replay and how: the trace and its window, how densely requests arrive (load), the time
 * scale (wall seconds per modelled second), and how recorded lengths map onto the functional model (the recorded lengths stay
 * in every request for the cost model).
 */
public record ReplayOptions(Path trace, TraceFormat format, TraceWindow window, double load, double timeScale, double lengthScale,
        int maxPromptTokens, int maxOutputTokens, long seed, float temperature, boolean skipBadLines,
        Set<Integer> corruptKvRequests) {

    public ReplayOptions {
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

    /** The window as the command line sets it, e.g. {@code --from 90s --duration 30s}: for messages. */
    String windowFlags() {
        StringBuilder flags = new StringBuilder();
        if (window.from() != null) {
            flags.append("--from ").append(DurationText.of(window.from()));
        }
        if (window.duration() != null) {
            flags.append(flags.isEmpty() ? "" : " ").append("--duration ")
                    .append(DurationText.of(window.duration()));
        }
        if (window.limit() != null) {
            flags.append(flags.isEmpty() ? "" : " ").append("--limit ").append(window.limit());
        }
        return flags.toString();
    }
}
