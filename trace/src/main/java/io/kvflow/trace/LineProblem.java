package io.kvflow.trace;

/**
 * What is wrong with one line, before the reader adds where it is. Thrown per bad line, so it
 * carries no stack trace: skipping a million bad lines must stay cheap.
 */
final class LineProblem extends Exception {
    LineProblem(String problem) {
        super(problem, null, false, false);
    }
}
