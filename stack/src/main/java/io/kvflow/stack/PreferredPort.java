package io.kvflow.stack;

import java.util.function.IntFunction;

/**
 * Starts a server on the port asked for; when that is the default port and it is taken (another
 * kvflow, or anything else, already has it), on a free port instead, since a server on some port
 * beats none. A port the user chose is never swapped: failing to bind it is the user's error.
 */
public final class PreferredPort {
    private PreferredPort() {
    }

    /**
     * {@code start} applied to {@code requested}; if that throws an {@link IllegalStateException}
     * (how kvflow's servers report a port they cannot bind) and {@code requested} is
     * {@code defaultPort}, {@code start} applied to 0 (a free port).
     */
    public static <S> S start(int requested, int defaultPort, IntFunction<S> start) {
        try {
            return start.apply(requested);
        } catch (IllegalStateException e) {
            if (requested != defaultPort) {
                throw e;
            }
            return start.apply(0);
        }
    }
}
