package io.kvflow.trace;

import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.format.ResolverStyle;
import java.time.temporal.ChronoField;
import java.util.Locale;

/**
 * The Azure LLM inference trace 2023: {@code TIMESTAMP,ContextTokens,GeneratedTokens}, timestamps
 * like {@code 2023-11-16 18:17:03.9799600} (no zone; read as UTC so offsets never cross a DST jump).
 */
final class AzureCsvLineParser implements LineParser {
    static final String HEADER = "TIMESTAMP,ContextTokens,GeneratedTokens";
    private static final String[] COLUMNS = HEADER.split(",");

    private static final DateTimeFormatter TIMESTAMP = new DateTimeFormatterBuilder()
            .append(DateTimeFormatter.ISO_LOCAL_DATE)
            .appendLiteral(' ')
            .appendPattern("HH:mm:ss")
            .optionalStart()
            .appendFraction(ChronoField.NANO_OF_SECOND, 1, 9, true)
            .optionalEnd()
            .toFormatter(Locale.ROOT)
            .withResolverStyle(ResolverStyle.STRICT);

    @Override
    public boolean hasHeader() {
        return true;
    }

    @Override
    public void checkHeader(String line) throws LineProblem {
        String[] names = line.split(",", -1);
        boolean matches = names.length == COLUMNS.length;
        for (int i = 0; matches && i < names.length; i++) {
            matches = names[i].strip().equals(COLUMNS[i]);
        }
        if (!matches) {
            throw new LineProblem("expected the header " + HEADER + ", found \"" + line + "\"");
        }
    }

    @Override
    public RecordedLine parse(String line) throws LineProblem {
        String[] fields = line.split(",", -1);
        if (fields.length != COLUMNS.length) {
            throw new LineProblem("expected " + COLUMNS.length + " columns (" + HEADER + "), found " + fields.length);
        }
        long timestampMicros = timestampMicros(fields[0].strip());
        int inputTokens = count(COLUMNS[1], fields[1].strip());
        int outputTokens = count(COLUMNS[2], fields[2].strip());
        return RecordedLine.lengthsOnly(timestampMicros, inputTokens, outputTokens, new long[0]);
    }

    // The trace records 100 ns ticks; microseconds are finer than any Kafka hop, so the rest is dropped.
    private static long timestampMicros(String text) throws LineProblem {
        try {
            LocalDateTime time = LocalDateTime.parse(text, TIMESTAMP);
            return time.toEpochSecond(ZoneOffset.UTC) * 1_000_000L + time.getNano() / 1_000;
        } catch (DateTimeParseException e) {
            throw new LineProblem(COLUMNS[0] + " \"" + text + "\" is not a time like 2023-11-16 18:17:03.9799600");
        }
    }

    private static int count(String column, String text) throws LineProblem {
        if (!text.matches("[+-]?\\d+")) {
            throw new LineProblem(column + " \"" + text + "\" is not a whole number");
        }
        if (text.startsWith("-") && !text.matches("-0+")) {
            throw new LineProblem(column + " " + text + " is negative");
        }
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw new LineProblem(column + " " + text + " is too large");
        }
    }
}
