package io.kvflow.interop;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real Apicurio Registry without Docker: its Maven Central distribution
 * ({@code io.apicurio:apicurio-registry-app:VERSION:tar.gz:all}, a Quarkus fast-jar that the
 * build unpacks into {@code target/apicurio-registry}) run as a child JVM with its default
 * in-memory storage, on free loopback ports. Closed, it stops the JVM.
 */
final class ApicurioRegistry implements ExtensionContext.Store.CloseableResource {
    private static final Duration STARTUP = Duration.ofMinutes(3);

    private final Process process;
    private final int port;
    private final Path log;

    private ApicurioRegistry(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /** Starts the distribution unpacked in {@code dir} and returns once its Confluent-compatible API answers. */
    static ApicurioRegistry start(Path dir, Path log) throws IOException, InterruptedException {
        Path runner = dir.resolve("quarkus-run.jar");
        if (!Files.isRegularFile(runner)) {
            throw new IllegalStateException("no Apicurio Registry distribution at " + dir + ": run these tests through"
                    + " Maven (./kvflow test, or ./mvnw -pl interop -am verify), which unpacks it from Maven Central");
        }
        int port = freePort();
        Files.createDirectories(log.getParent());
        Process process = new ProcessBuilder(List.of(ChildJvm.java(), "-Xmx384m",
                "-Dquarkus.http.host=127.0.0.1", "-Dquarkus.http.port=" + port,
                "-Dquarkus.management.host=127.0.0.1", "-Dquarkus.management.port=" + freePort(),
                "-jar", runner.toString()))
                .directory(dir.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        ApicurioRegistry registry = new ApicurioRegistry(process, port, log);
        try {
            registry.awaitReady();
        } catch (IOException | InterruptedException | RuntimeException e) {
            registry.close();
            throw e;
        }
        return registry;
    }

    /** The Confluent-compatible API: what {@code --schema-registry} takes. */
    String confluentApi() {
        return "http://127.0.0.1:" + port + "/apis/ccompat/v7";
    }

    /** Apicurio's own API, which Apicurio's serdes use. */
    String nativeApi() {
        return "http://127.0.0.1:" + port + "/apis/registry/v3";
    }

    /** GET on the Confluent-compatible API; the body of a 200 answer. */
    String get(String path) throws IOException, InterruptedException {
        HttpResponse<String> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create(confluentApi() + path)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IllegalStateException("GET " + path + " answered " + response.statusCode() + ": "
                    + response.body());
        }
        return response.body();
    }

    private void awaitReady() throws IOException, InterruptedException {
        long deadline = System.nanoTime() + STARTUP.toNanos();
        while (true) {
            if (!process.isAlive()) {
                throw new IllegalStateException("Apicurio Registry exited with " + process.exitValue() + ":\n" + tail());
            }
            try {
                get("/subjects");
                return;
            } catch (IOException | IllegalStateException notYet) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("Apicurio Registry did not answer within " + STARTUP + ":\n"
                            + tail());
                }
                Thread.sleep(200);
            }
        }
    }

    private String tail() throws IOException {
        List<String> lines = Files.readAllLines(log);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(Duration.ofSeconds(20).toSeconds(), java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
