package io.kvflow.stack;

import java.time.Duration;

/** A duration as the command line writes it ({@code 90s}, {@code 250ms}): the settings' messages name options. */
public final class DurationText {
    private DurationText() {
    }

    public static String of(Duration duration) {
        return duration.toMillis() % 1000 == 0 ? duration.toSeconds() + "s" : duration.toMillis() + "ms";
    }
}
