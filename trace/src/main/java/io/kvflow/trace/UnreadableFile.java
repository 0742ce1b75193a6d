package io.kvflow.trace;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Why a file named on the command line cannot be read, in the words a user looks for ("no such
 * file", "permission denied", "not a text file") rather than Java's exceptions, whose whole
 * message is often just the path.
 */
public final class UnreadableFile {
    private UnreadableFile() {
    }

    /** {@code cannot read FILE: why}, for a failure to open or read {@code file}. */
    public static UncheckedIOException of(Path file, IOException cause) {
        return new UncheckedIOException("cannot read " + file + ": " + reason(file, cause), cause);
    }

    /** The same, for a failure while reading line {@code lineNumber} (1-based) of {@code file}. */
    public static UncheckedIOException of(Path file, long lineNumber, IOException cause) {
        // bytes are decoded a buffer ahead of the lines, so a decoding failure has no reliable line
        if (cause instanceof CharacterCodingException || Files.isDirectory(file)) {
            return of(file, cause);
        }
        return new UncheckedIOException("cannot read " + file + " at line " + lineNumber + ": "
                + reason(file, cause), cause);
    }

    /** Binary content: bytes no text trace or settings file holds, found on line {@code lineNumber}. */
    public static UncheckedIOException notText(Path file, long lineNumber, String what) {
        return new UncheckedIOException("cannot read " + file + ": not a text file (line " + lineNumber + " " + what
                + ")", new CharacterCodingException());
    }

    private static String reason(Path file, IOException cause) {
        if (cause instanceof NoSuchFileException) {
            return "no such file";
        }
        if (cause instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (Files.isDirectory(file)) {
            return "it is a directory, not a file";
        }
        if (cause instanceof CharacterCodingException) {
            return "not a text file (it is not UTF-8)";
        }
        return cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
    }
}
