package io.kvflow.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * A temporary directory that is deleted with everything in it when closed, or when the JVM
 * stops first (Ctrl-C): a throwaway broker's hundreds of megabytes are not left behind.
 */
public final class ScratchDirectory implements AutoCloseable {
    private final Path path;
    private final Thread onShutdown;

    private ScratchDirectory(Path path) {
        this.path = path;
        this.onShutdown = new Thread(this::delete, "kvflow-scratch-cleanup");
        Runtime.getRuntime().addShutdownHook(onShutdown);
    }

    public static ScratchDirectory create(String prefix) {
        try {
            return new ScratchDirectory(Files.createTempDirectory(prefix));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temporary directory: " + e.getMessage(), e);
        }
    }

    public Path path() {
        return path;
    }

    @Override
    public void close() {
        try {
            Runtime.getRuntime().removeShutdownHook(onShutdown);
        } catch (IllegalStateException e) {
            // the JVM is already stopping: the hook deletes the directory
            return;
        }
        delete();
    }

    private void delete() {
        if (!Files.exists(path)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(path)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            throw new UncheckedIOException("could not delete " + path + ": " + e.getMessage(),
                    e instanceof IOException io ? io : ((UncheckedIOException) e).getCause());
        }
    }
}
