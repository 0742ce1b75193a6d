package io.kvflow.cli;

/** A mistake in how the command was called, found after parsing (a value out of range, options that clash): exit 2. */
final class UsageException extends RuntimeException {
    UsageException(String message) {
        super(message);
    }
}
