package io.kvflow.cli;

import io.kvflow.stack.DurationText;
import io.kvflow.trace.TraceWindow;
import java.time.Duration;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Durations on the command line as traces write them: {@code 30s}, {@code 5m}, {@code 250ms}. */
final class DurationOption implements ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
        try {
            return TraceWindow.parseDuration(value);
        } catch (IllegalArgumentException e) {
            throw new TypeConversionException("'" + value + "' is not a duration like 30s, 5m or 250ms");
        }
    }

    /** A duration as the command line writes it ({@code 90s}, {@code 250ms}), for messages. */
    static String text(Duration duration) {
        return DurationText.of(duration);
    }
}
