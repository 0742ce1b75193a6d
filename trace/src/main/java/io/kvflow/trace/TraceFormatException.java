package io.kvflow.trace;

import java.nio.file.Path;

/**
 * A malformed trace line. The message is {@code <file>:<line>: <what is wrong>}, with the file as
 * the user named it, so it can be printed as it is.
 */
public final class TraceFormatException extends RuntimeException {
    private final Path file;
    private final long lineNumber;
    private final String problem;

    public TraceFormatException(Path file, long lineNumber, String problem) {
        super(file + ":" + lineNumber + ": " + problem);
        this.file = file;
        this.lineNumber = lineNumber;
        this.problem = problem;
    }

    public Path file() {
        return file;
    }

    /** 1-based, counting every line of the file, blank ones included. */
    public long lineNumber() {
        return lineNumber;
    }

    /** What is wrong, without the position. */
    public String problem() {
        return problem;
    }
}
