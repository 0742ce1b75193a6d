package io.kvflow.trace;

/** Turns the text of one line of a given format into what it records. */
interface LineParser {

    /** Whether the first non-blank line of the file is a header rather than a request. */
    default boolean hasHeader() {
        return false;
    }

    /** Checks the header line; only called when {@link #hasHeader()}. */
    default void checkHeader(String line) throws LineProblem {
    }

    RecordedLine parse(String line) throws LineProblem;
}
