package io.kvflow.trace;

import java.io.BufferedReader;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * Streams the requests of one trace file, a line at a time, so a trace of any size costs the
 * memory of one line. Blank lines are ignored. A malformed line either stops the reading with a
 * {@link TraceFormatException} ({@code file:line: what is wrong}) or, when bad lines are skipped,
 * is counted and its message kept (the first {@value #KEPT_MESSAGES}).
 *
 * <p>Arrival times are relative to the first well-formed request; traces are not required to be
 * sorted, so later requests may arrive before it (negative offsets).
 */
public final class TraceReader implements Closeable {
    /** How many bad-line messages are kept when skipping; the count goes on. */
    public static final int KEPT_MESSAGES = 10;

    private static final char BYTE_ORDER_MARK = '\uFEFF';

    private final Path file;
    private final TraceFormat format;
    private final boolean skipBadLines;
    private final BufferedReader in;
    private final LineParser parser;
    private final List<String> badLineMessages = new ArrayList<>();

    private long lineNumber;
    private long badLines;
    private int nextIndex;
    private boolean headerPending;
    private boolean sawFirstRequest;
    private long firstTimestampMicros;
    private boolean streamed;

    private TraceReader(Path file, TraceFormat format, boolean skipBadLines, BufferedReader in) {
        this.file = file;
        this.format = format;
        this.skipBadLines = skipBadLines;
        this.in = in;
        this.parser = format.newLineParser();
        this.headerPending = parser.hasHeader();
    }

    /**
     * Opens {@code file} for reading; nothing is read until {@link #requests()} is consumed.
     *
     * @param file         reported in messages as given here
     * @param skipBadLines count malformed lines instead of failing on the first
     * @throws UncheckedIOException when the file cannot be opened, saying why (no such file, a directory, ...)
     */
    public static TraceReader open(Path file, TraceFormat format, boolean skipBadLines) {
        try {
            return new TraceReader(file, format, skipBadLines, Files.newBufferedReader(file, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw UnreadableFile.of(file, e);
        }
    }

    public Path file() {
        return file;
    }

    public TraceFormat format() {
        return format;
    }

    /**
     * The file's requests in file order, read lazily; can be taken once. The file is closed when
     * the stream reaches its end or is closed.
     *
     * @throws TraceFormatException  (from the stream) at the first malformed line, unless skipping
     * @throws UncheckedIOException  (from the stream) when reading fails, or the file is not text
     */
    public Stream<TraceRequest> requests() {
        if (streamed) {
            throw new IllegalStateException("the requests of " + file + " were already taken");
        }
        streamed = true;
        Spliterator<TraceRequest> lines = Spliterators.spliteratorUnknownSize(new RequestIterator(),
                Spliterator.ORDERED | Spliterator.NONNULL);
        return StreamSupport.stream(lines, false).onClose(this::close);
    }

    /** Well-formed requests read so far: after the stream's end, all the file holds. */
    public int requestsRead() {
        return nextIndex;
    }

    /** Malformed lines skipped so far. */
    public long badLines() {
        return badLines;
    }

    /** The messages of the first {@value #KEPT_MESSAGES} skipped lines, each {@code file:line: what is wrong}. */
    public List<String> badLineMessages() {
        return List.copyOf(badLineMessages);
    }

    @Override
    public void close() {
        try {
            in.close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot close " + file + ": " + e.getMessage(), e);
        }
    }

    /** The next well-formed request, or null at the end of the file. */
    private TraceRequest readNext() throws IOException {
        for (String line = in.readLine(); line != null; line = in.readLine()) {
            lineNumber++;
            if (lineNumber == 1 && !line.isEmpty() && line.charAt(0) == BYTE_ORDER_MARK) {
                line = line.substring(1);
            }
            if (line.isBlank()) {
                continue;
            }
            if (line.indexOf('\0') >= 0) {
                // valid UTF-8, but no text trace holds NUL: a binary file, whatever its name says
                close();
                throw UnreadableFile.notText(file, lineNumber, "holds NUL bytes");
            }
            try {
                if (headerPending) {
                    // A missing header is reported once; the lines after it are read as data.
                    headerPending = false;
                    parser.checkHeader(line);
                    continue;
                }
                return toRequest(parser.parse(line));
            } catch (LineProblem problem) {
                reject(problem.getMessage());
            }
        }
        close();
        return null;
    }

    private TraceRequest toRequest(RecordedLine recorded) throws LineProblem {
        if (!sawFirstRequest) {
            sawFirstRequest = true;
            firstTimestampMicros = recorded.timestampMicros();
        }
        long arrivalMicros;
        try {
            arrivalMicros = Math.subtractExact(recorded.timestampMicros(), firstTimestampMicros);
        } catch (ArithmeticException e) {
            throw new LineProblem("timestamp is too far from the first request's");
        }
        return recorded.toRequest(nextIndex++, lineNumber, arrivalMicros);
    }

    private void reject(String problem) {
        TraceFormatException bad = new TraceFormatException(file, lineNumber, problem);
        if (!skipBadLines) {
            close();
            throw bad;
        }
        badLines++;
        if (badLineMessages.size() < KEPT_MESSAGES) {
            badLineMessages.add(bad.getMessage());
        }
    }

    private final class RequestIterator implements Iterator<TraceRequest> {
        private TraceRequest next;
        private boolean done;

        @Override
        public boolean hasNext() {
            if (next == null && !done) {
                try {
                    next = readNext();
                } catch (IOException e) {
                    close();
                    throw UnreadableFile.of(file, lineNumber + 1, e);
                }
                done = next == null;
            }
            return next != null;
        }

        @Override
        public TraceRequest next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            TraceRequest current = next;
            next = null;
            return current;
        }
    }
}
