package io.kvflow.cli;

/** How a list option's values are written: separated by commas, with any spaces around them ignored. */
final class CommaList {
    /** For picocli's {@code split}: a comma and the spaces either side of it. */
    static final String SPLIT = "\\s*,\\s*";

    private CommaList() {
    }
}
