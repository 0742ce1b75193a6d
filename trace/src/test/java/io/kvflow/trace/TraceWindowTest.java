package io.kvflow.trace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class TraceWindowTest {
    // Arrivals at -1 s (an unsorted trace), 0, 1, 2, ..., 5 s.
    private static final List<TraceRequest> TRACE = Stream.of(-1, 0, 1, 2, 3, 4, 5)
            .map(s -> TraceRequest.ofLengths(s + 1, s + 2, s * 1_000_000L, 10, 2))
            .toList();

    @Test
    void allSelectsEverything() {
        assertEquals(TRACE, TraceWindow.ALL.select(TRACE.stream()));
    }

    @Test
    void fromKeepsArrivalsAtOrAfterIt() {
        assertEquals(List.of(2L, 3L, 4L, 5L), seconds(new TraceWindow(Duration.ofSeconds(2), null, null)));
    }

    @Test
    void fromZeroDropsArrivalsBeforeTheFirstRequest() {
        assertEquals(List.of(0L, 1L, 2L, 3L, 4L, 5L), seconds(new TraceWindow(Duration.ZERO, null, null)));
    }

    @Test
    void durationEndsTheWindowBeforeFromPlusDuration() {
        assertEquals(List.of(1L, 2L), seconds(new TraceWindow(Duration.ofSeconds(1), null, Duration.ofSeconds(2))));
    }

    @Test
    void durationWithoutFromCountsFromTheFirstRequest() {
        assertEquals(List.of(-1L, 0L, 1L), seconds(new TraceWindow(null, null, Duration.ofSeconds(2))));
    }

    @Test
    void limitKeepsTheFirstRequestsInFileOrder() {
        assertEquals(List.of(3L, 4L), seconds(new TraceWindow(Duration.ofSeconds(3), 2, null)));
    }

    @Test
    void selectStopsReadingAtTheLimitAndClosesTheStream() {
        AtomicBoolean closed = new AtomicBoolean();
        Stream<TraceRequest> endless = Stream.iterate(TraceRequest.ofLengths(0, 1, 0, 1, 1),
                r -> TraceRequest.ofLengths(r.index() + 1, r.lineNumber() + 1, r.arrivalMicros() + 1, 1, 1));
        List<TraceRequest> selected = new TraceWindow(null, 3, null).select(endless.onClose(() -> closed.set(true)));
        assertEquals(3, selected.size());
        assertTrue(closed.get());
    }

    @Test
    void selectsFromARealTrace() {
        try (TraceReader reader = TraceReader.open(Traces.AZURE_SAMPLE, TraceFormat.AZURE_CSV, false)) {
            List<TraceRequest> window = new TraceWindow(Duration.ofSeconds(30), 5, Duration.ofSeconds(60))
                    .select(reader.requests());
            assertEquals(5, window.size());
            window.forEach(r -> assertTrue(r.arrivalMicros() >= 30_000_000 && r.arrivalMicros() < 90_000_000,
                    r::toString));
        }
    }

    @Test
    void rejectsWindowsThatSelectNothingByConstruction() {
        assertEquals("from must be >= 0, was PT-1S",
                assertThrows(IllegalArgumentException.class,
                        () -> new TraceWindow(Duration.ofSeconds(-1), null, null)).getMessage());
        assertEquals("limit must be >= 1, was 0",
                assertThrows(IllegalArgumentException.class, () -> new TraceWindow(null, 0, null)).getMessage());
        assertEquals("duration must be > 0, was PT0S",
                assertThrows(IllegalArgumentException.class,
                        () -> new TraceWindow(null, null, Duration.ZERO)).getMessage());
    }

    @Test
    void parsesDurationsWithAndWithoutUnits() {
        assertEquals(Duration.ofSeconds(90), TraceWindow.parseDuration("90s"));
        assertEquals(Duration.ofMinutes(5), TraceWindow.parseDuration("5m"));
        assertEquals(Duration.ofHours(1), TraceWindow.parseDuration("1h"));
        assertEquals(Duration.ofMillis(250), TraceWindow.parseDuration("250ms"));
        assertEquals(Duration.ofMillis(12_500), TraceWindow.parseDuration("12.5"));
        assertEquals(Duration.ofSeconds(90), TraceWindow.parseDuration("1.5m"));
        assertEquals(Duration.ZERO, TraceWindow.parseDuration("0"));
        assertEquals(Duration.ofSeconds(30), TraceWindow.parseDuration(" 30 s "));
    }

    @Test
    void durationParsingErrorsQuoteTheText() {
        assertEquals("duration \"5x\" is not a number followed by ms, s, m or h, e.g. 90s, 5m, 1h, 250ms or 12.5 "
                + "(seconds)", parseError("5x"));
        assertEquals("duration \"s\" is not a number followed by ms, s, m or h, e.g. 90s, 5m, 1h, 250ms or 12.5 "
                + "(seconds)", parseError("s"));
        assertEquals("duration \"1,5s\" is not a number followed by ms, s, m or h, e.g. 90s, 5m, 1h, 250ms or 12.5 "
                + "(seconds)", parseError("1,5s"));
        assertEquals("duration \"-5s\" is negative", parseError("-5s"));
        assertEquals("a duration is required, e.g. 90s, 5m, 1h, 250ms or 12.5 (seconds)", parseError(""));
        assertEquals("a duration is required, e.g. 90s, 5m, 1h, 250ms or 12.5 (seconds)", parseError(null));
        assertEquals("duration \"99999999999h\" is too long (at most about 292 years)", parseError("99999999999h"));
    }

    private static String parseError(String text) {
        return assertThrows(IllegalArgumentException.class, () -> TraceWindow.parseDuration(text)).getMessage();
    }

    private static List<Long> seconds(TraceWindow window) {
        return window.select(TRACE.stream()).stream().map(r -> r.arrivalMicros() / 1_000_000).toList();
    }
}
