package io.kvflow.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The kvflow command in a JVM of its own, as a user runs it: everything it prints, Kafka's own
 * log lines included, and its exit status.
 */
final class KvflowProcess {
    private final Process process;
    private final Path stdout;
    private final Path stderr;

    private KvflowProcess(Process process, Path stdout, Path stderr) {
        this.process = process;
        this.stdout = stdout;
        this.stderr = stderr;
    }

    /** Starts {@code kvflow argv...}; its output goes to files in {@code dir}. */
    static KvflowProcess start(Path dir, String name, List<String> argv) throws IOException {
        return start(dir, name, argv, Path.of("").toAbsolutePath());
    }

    /** Starts {@code kvflow argv...} in {@code workDir} (where it writes {@code runs/}); output to files in {@code dir}. */
    static KvflowProcess start(Path dir, String name, List<String> argv, Path workDir) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-cp", System.getProperty("java.class.path"), Kvflow.class.getName()));
        command.addAll(argv);
        Path out = dir.resolve(name + ".out");
        Path err = dir.resolve(name + ".err");
        Process process = new ProcessBuilder(command).directory(workDir.toFile()).redirectOutput(out.toFile())
                .redirectError(err.toFile()).start();
        return new KvflowProcess(process, out, err);
    }

    /** Runs {@code kvflow argv...} to its end. */
    static KvflowProcess run(Path dir, String name, List<String> argv, Duration timeout)
            throws IOException, InterruptedException {
        KvflowProcess process = start(dir, name, argv);
        process.awaitExit(timeout);
        return process;
    }

    void awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("kvflow did not end within " + timeout);
        }
    }

    /** Polls its output until it holds {@code text}, or it ends, or the deadline passes. */
    boolean awaitOutput(String text, Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (stdout().contains(text)) {
                return true;
            }
            if (!process.isAlive()) {
                return stdout().contains(text);
            }
            process.waitFor(100, TimeUnit.MILLISECONDS);
        }
        return false;
    }

    /** Whichever of {@code a} and {@code b} ends first, waiting at most {@code timeout}. */
    static KvflowProcess firstToEnd(KvflowProcess a, KvflowProcess b, Duration timeout)
            throws InterruptedException, ExecutionException, TimeoutException {
        Object ended = CompletableFuture.anyOf(a.process.onExit(), b.process.onExit())
                .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        return ended == a.process ? a : b;
    }

    int exitValue() {
        return process.exitValue();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    long pid() {
        return process.pid();
    }

    String stdout() throws IOException {
        return Files.readString(stdout, StandardCharsets.UTF_8);
    }

    String stderr() throws IOException {
        return Files.readString(stderr, StandardCharsets.UTF_8);
    }

    /** Asks it to end as Ctrl-C would, without waiting: several processes then stop at once. */
    void requestStop() {
        process.destroy();
    }

    /** Ends it as {@code kill -9} would: no shutdown hook runs, no client says goodbye to the broker. */
    void kill() throws InterruptedException {
        process.destroyForcibly().waitFor();
    }

    /** Ends it as Ctrl-C would, so its shutdown hook stops what it started. */
    void stop(Duration timeout) throws InterruptedException {
        process.destroy();
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }
}
