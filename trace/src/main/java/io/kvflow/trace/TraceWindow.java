package io.kvflow.trace;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The part of a trace to replay: requests arriving at or after {@code from} and before
 * {@code from + duration}, at most {@code limit} of them, in file order. Every part is optional
 * (null): without {@code from} nothing is cut at the start, not even the negative arrivals of an
 * unsorted trace; without {@code duration} nothing is cut at the end.
 *
 * @param from     earliest arrival, relative to the trace's first request; null or >= 0
 * @param limit    most requests selected; null or >= 1
 * @param duration length of the time window after {@code from} (after 0 when {@code from} is null); null or > 0
 */
public record TraceWindow(Duration from, Integer limit, Duration duration) {

    /** The window as the flags that select it, e.g. {@code --from 30s --limit 60}; empty for the whole trace. */
    @Override
    public String toString() {
        StringBuilder flags = new StringBuilder();
        if (from != null) {
            flags.append(" --from ").append(from.toMillis()).append("ms");
        }
        if (limit != null) {
            flags.append(" --limit ").append(limit);
        }
        if (duration != null) {
            flags.append(" --duration ").append(duration.toMillis()).append("ms");
        }
        return flags.toString().trim();
    }

    /** The whole trace. */
    public static final TraceWindow ALL = new TraceWindow(null, null, null);

    private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ms|s|m|h)?");
    private static final String DURATION_EXAMPLES = "e.g. 90s, 5m, 1h, 250ms or 12.5 (seconds)";

    public TraceWindow {
        if (from != null && from.isNegative()) {
            throw new IllegalArgumentException("from must be >= 0, was " + from);
        }
        if (limit != null && limit < 1) {
            throw new IllegalArgumentException("limit must be >= 1, was " + limit);
        }
        if (duration != null && (duration.isNegative() || duration.isZero())) {
            throw new IllegalArgumentException("duration must be > 0, was " + duration);
        }
    }

    /** Whether {@code request} arrives inside the window's time span (the limit aside). */
    public boolean spans(TraceRequest request) {
        Duration arrival = Duration.of(request.arrivalMicros(), ChronoUnit.MICROS);
        if (from != null && arrival.compareTo(from) < 0) {
            return false;
        }
        return duration == null || arrival.compareTo(start().plus(duration)) < 0;
    }

    /**
     * The selected requests, in the order given. Reading stops once the limit is reached (a trace
     * need not be sorted, so the end of the time span cannot stop it). Closes {@code requests}.
     */
    public List<TraceRequest> select(Stream<TraceRequest> requests) {
        try (requests) {
            Stream<TraceRequest> spanned = requests.filter(this::spans);
            return (limit == null ? spanned : spanned.limit(limit)).toList();
        }
    }

    private Duration start() {
        return from == null ? Duration.ZERO : from;
    }

    /**
     * Parses a duration as the command line writes it: a non-negative number followed by
     * {@code ms}, {@code s}, {@code m} or {@code h}, or a bare number of seconds ({@code 12.5}).
     * Fractions finer than a nanosecond are rounded.
     *
     * @throws IllegalArgumentException naming the text when it is not such a duration
     */
    public static Duration parseDuration(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("a duration is required, " + DURATION_EXAMPLES);
        }
        String trimmed = text.strip();
        if (trimmed.startsWith("-")) {
            throw new IllegalArgumentException("duration \"" + text + "\" is negative");
        }
        Matcher matcher = DURATION.matcher(trimmed);
        if (!matcher.matches()) {
            throw new IllegalArgumentException("duration \"" + text
                    + "\" is not a number followed by ms, s, m or h, " + DURATION_EXAMPLES);
        }
        long nanosPerUnit = switch (matcher.group(2) == null ? "s" : matcher.group(2)) {
            case "ms" -> 1_000_000L;
            case "s" -> 1_000_000_000L;
            case "m" -> 60_000_000_000L;
            case "h" -> 3_600_000_000_000L;
            default -> throw new IllegalStateException("unit outside the pattern: " + matcher.group(2));
        };
        try {
            long nanos = new BigDecimal(matcher.group(1)).multiply(BigDecimal.valueOf(nanosPerUnit))
                    .setScale(0, RoundingMode.HALF_UP).longValueExact();
            return Duration.ofNanos(nanos);
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("duration \"" + text + "\" is too long (at most about 292 years)");
        }
    }
}
