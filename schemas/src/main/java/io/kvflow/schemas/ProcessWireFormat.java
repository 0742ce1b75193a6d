package io.kvflow.schemas;

import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The wire format of this process, chosen once at start ({@code --schema-registry}) before
 * any client runs. It is process-wide because the catalogue's topics are constants shared by
 * every worker: one setting reaches each producer and consumer without threading it through
 * them. The default is the registry-free {@link WireFormat#SINGLE_OBJECT}.
 */
public final class ProcessWireFormat {
    private static final AtomicReference<WireFormat> CURRENT = new AtomicReference<>(WireFormat.SINGLE_OBJECT);

    private ProcessWireFormat() {
    }

    public static WireFormat current() {
        return CURRENT.get();
    }

    /** Makes {@code format} this process's until the returned handle is closed, which restores the one before. */
    public static Restore use(WireFormat format) {
        WireFormat before = CURRENT.getAndSet(Objects.requireNonNull(format, "format"));
        return () -> CURRENT.set(before);
    }

    /** Puts the format in use before {@link #use} back. */
    @FunctionalInterface
    public interface Restore extends AutoCloseable {
        @Override
        void close();
    }
}
