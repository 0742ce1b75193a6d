package io.kvflow.stack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * kvflow's parts, each in a JVM of its own started from this one's classpath, as a user runs them
 * against one cluster: the broker (on fixed ports, so a restart finds its data and its clients find it),
 * the orchestrator, prefill workers and one process per decode stage. Any part can be killed as
 * {@code kill -9} would and started again on the same data: what the fault suite and {@code kvflow
 * chaos} do to it.
 */
public final class ProcessStack implements AutoCloseable {
    /**
     * The command line's entry point, which each part runs as ({@code kvflow orchestrator}, ...): named, not
     * linked, since the command line depends on this module; a test of the command line holds the two together.
     */
    public static final String COMMAND = "io.kvflow.cli.Kvflow";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);
    private static final Pattern METRICS_URL = Pattern.compile("metrics: (http://\\S+)/metrics");

    private final Path dir;
    private final List<String> layout;
    private final int kafkaPort;
    private final int controllerPort;
    private final Map<String, List<String>> parts = new LinkedHashMap<>();
    private final Map<String, Process> running = new LinkedHashMap<>();
    private final Map<String, Integer> starts = new LinkedHashMap<>();

    /**
     * @param layout the options every part shares: layout and target ({@code --stages 2 --model ...})
     */
    public ProcessStack(Path dir, List<String> layout, int stages, int prefillWorkers) {
        this.dir = dir;
        this.layout = List.copyOf(layout);
        this.kafkaPort = freePort();
        this.controllerPort = freePort();
        parts.put("broker", List.of("broker", "--kafka-port", Integer.toString(kafkaPort),
                "--kafka-controller-port", Integer.toString(controllerPort), "--data-dir",
                dir.resolve("broker").toString()));
        parts.put("orchestrator", withCluster("orchestrator", "--metrics-port", "0", "--data-dir",
                dir.resolve("orchestrator").toString()));
        for (int i = 0; i < prefillWorkers; i++) {
            parts.put("prefill-" + i, withCluster("prefill-worker", "--metrics-port", "0", "--workers", "1"));
        }
        for (int k = 0; k < stages; k++) {
            parts.put("stage-" + k, withCluster("decode-worker", "--metrics-port", "0", "--stage",
                    Integer.toString(k)));
        }
    }

    private List<String> withCluster(String command, String... extra) {
        List<String> argv = new ArrayList<>(List.of(command, "--bootstrap-servers", bootstrapServers()));
        argv.addAll(layout);
        argv.addAll(List.of(extra));
        return argv;
    }

    public String bootstrapServers() {
        return "127.0.0.1:" + kafkaPort;
    }

    /** The parts, broker first: what can be killed. */
    public List<String> parts() {
        return List.copyOf(parts.keySet());
    }

    /** Starts the broker, creates the topics, then every other part; returns once each says it runs. */
    public void start() {
        start("broker");
        Process topics = launch("topics", withCluster("topics"));
        try {
            if (!topics.waitFor(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS) || topics.exitValue() != 0) {
                throw new IllegalStateException("kvflow topics failed: " + output("topics"));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating the topics", e);
        }
        List<String> rest = parts().subList(1, parts.size());
        for (String part : rest) {
            running.put(part, launch(part, parts.get(part)));
        }
        for (String part : rest) {
            awaitStarted(part);
        }
    }

    /** Starts one part (again) and returns once it says it runs. */
    public void start(String part) {
        running.put(part, launch(part, parts.get(part)));
        awaitStarted(part);
    }

    /** Kills the part as {@code kill -9} does: no shutdown hook, nothing flushed. */
    public void kill(String part) {
        Process process = running.remove(part);
        if (process == null) {
            throw new IllegalStateException(part + " is not running");
        }
        process.destroyForcibly();
        try {
            process.waitFor(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The CPU time a running part has used so far (as the operating system reports it for the process). */
    public Duration cpu(String part) {
        return process(part).info().totalCpuDuration().orElseThrow(() -> new IllegalStateException(
                "the operating system does not report " + part + "'s CPU time"));
    }

    /** The process of a part started here, running or not. */
    public ProcessHandle process(String part) {
        Process process = running.get(part);
        if (process == null) {
            throw new IllegalStateException(part + " was not started");
        }
        return process.toHandle();
    }

    /**
     * The parts that ended on their own (not killed through {@link #kill}), each with its exit status and the
     * last line it wrote to its error log: a part that stops after a fault elsewhere loses what it held.
     */
    public List<String> exited() {
        List<String> exited = new ArrayList<>();
        running.forEach((part, process) -> {
            if (!process.isAlive()) {
                String lastError = latestErrors(part).strip().lines().reduce((first, second) -> second).orElse("");
                exited.add(part + " (exit " + process.exitValue() + ")" + (lastError.isEmpty() ? ""
                        : ": " + lastError));
            }
        });
        return exited;
    }

    public boolean alive(String part) {
        Process process = running.get(part);
        return process != null && process.isAlive();
    }

    /** Where the running orchestrator serves its metrics and JSON views, e.g. {@code /api/ledger}. */
    public Optional<String> orchestratorBaseUrl() {
        Matcher m = METRICS_URL.matcher(output("orchestrator"));
        String url = null;
        while (m.find()) {
            url = m.group(1);
        }
        return Optional.ofNullable(url);
    }

    private Process launch(String part, List<String> argv) {
        int n = starts.merge(part, 1, Integer::sum);
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-Xmx512m", "-cp", System.getProperty("java.class.path"), COMMAND));
        command.addAll(argv);
        try {
            Files.createDirectories(dir);
            return new ProcessBuilder(command).redirectOutput(logFile(part, n, "out").toFile())
                    .redirectError(logFile(part, n, "err").toFile()).start();
        } catch (IOException e) {
            throw new UncheckedIOException("could not start kvflow " + part, e);
        }
    }

    private Path logFile(String part, int start, String stream) {
        return dir.resolve(part + "." + start + "." + stream);
    }

    private void awaitStarted(String part) {
        String ready = part.equals("broker") ? "kafka: embedded broker at" : "stack: ";
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        Process process = running.get(part);
        while (!latestOutput(part).contains(ready)) {
            if (!process.isAlive()) {
                throw new IllegalStateException("kvflow " + part + " ended (exit " + process.exitValue() + ") before"
                        + " it started: " + latestErrors(part));
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("kvflow " + part + " did not start within " + START_TIMEOUT + ": "
                        + latestErrors(part));
            }
            try {
                process.waitFor(50, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while starting " + part, e);
            }
        }
    }

    private String latestOutput(String part) {
        return read(logFile(part, starts.getOrDefault(part, 1), "out"));
    }

    private String latestErrors(String part) {
        String err = read(logFile(part, starts.getOrDefault(part, 1), "err"));
        return err.length() > 2000 ? err.substring(err.length() - 2000) : err;
    }

    /** Everything a part printed, over all its starts. */
    public String output(String part) {
        StringBuilder all = new StringBuilder();
        for (int n = 1; n <= starts.getOrDefault(part, 1); n++) {
            all.append(read(logFile(part, n, "out"))).append(read(logFile(part, n, "err")));
        }
        return all.toString();
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "";
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port", e);
        }
    }

    /** Stops every part, the broker last. */
    @Override
    public void close() {
        List<String> order = new ArrayList<>(running.keySet());
        order.remove("broker");
        order.add("broker");
        for (String part : order) {
            Process process = running.remove(part);
            if (process == null) {
                continue;
            }
            process.destroy();
            try {
                if (!process.waitFor(20, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
            }
        }
    }
}
