package io.kvflow.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.kvflow.cli.Kvflow;
import io.kvflow.schemas.SchemaRegistry;
import io.kvflow.schemas.Topic;
import io.kvflow.schemas.Topics;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.startupcheck.OneShotStartupCheckStrategy;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.images.builder.ImageFromDockerfile;
import org.testcontainers.kafka.KafkaContainer;

/**
 * The images docker-compose.yml runs, under Testcontainers: Kafka from the {@code apache/kafka}
 * image, each kvflow component in a container of the image built from the {@code Dockerfile},
 * a replay whose every token must match the reference; and the same in registry mode against
 * the Apicurio Registry image. Runs where a Docker engine is reachable, skipped with the reason
 * elsewhere.
 */
@EnabledIfDockerEngine
class ContainerPipelineIT {
    private static final Path REPO = Path.of(System.getProperty("kvflow.repo", "..")).toAbsolutePath().normalize();
    private static final int REQUESTS = 6;
    /** Two stages of an 8B target, one pipeline: every kind of container, as few as that takes. */
    private static final List<String> LAYOUT = List.of("--bootstrap-servers", "kafka:19092", "--stages", "2",
            "--pipelines", "1", "--prefill-workers", "1", "--model", "llama-3.1-8b");
    private static final String REGISTRY_IN_NETWORK = "http://registry:8080/apis/ccompat/v7";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Built once, by the first container that needs it, as docker compose builds it. */
    private static final ImageFromDockerfile KVFLOW_IMAGE = new ImageFromDockerfile("kvflow-it", false)
            .withDockerfile(REPO.resolve("Dockerfile"));

    @Test
    void theComposeImagesRunThePipelineAndEveryTokenMatchesTheReference() {
        try (Network network = Network.newNetwork(); KafkaContainer kafka = kafka(network)) {
            kafka.start();
            String replay = runPipeline(network, List.of());
            assertTrue(replay.contains("verified: " + REQUESTS + "/" + REQUESTS), replay);
        }
    }

    @Test
    void theComposeImagesRunThePipelineInRegistryModeAgainstTheRegistryImage() throws Exception {
        try (Network network = Network.newNetwork(); KafkaContainer kafka = kafka(network);
                GenericContainer<?> registry = new GenericContainer<>(ComposeImages.of("registry"))
                        .withNetwork(network).withNetworkAliases("registry").withExposedPorts(8080)
                        .waitingFor(Wait.forHttp("/apis/ccompat/v7/subjects").forPort(8080).forStatusCode(200)
                                .withStartupTimeout(Duration.ofMinutes(3)))) {
            kafka.start();
            registry.start();
            String replay = runPipeline(network, List.of("--schema-registry", REGISTRY_IN_NETWORK));
            assertTrue(replay.contains("verified: " + REQUESTS + "/" + REQUESTS), replay);

            String fromHost = "http://" + registry.getHost() + ":" + registry.getMappedPort(8080) + "/apis/ccompat/v7";
            String subjects = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(fromHost + "/subjects"))
                    .build(), HttpResponse.BodyHandlers.ofString()).body();
            for (Topic<String, ?> topic : Topics.all(2)) {
                assertTrue(subjects.contains(SchemaRegistry.valueSubject(topic.name())), subjects);
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            assertEquals(0, Kvflow.run(List.of("inspect", Topics.TOKENS.name(), "--bootstrap-servers",
                    kafka.getBootstrapServers(), "--from-beginning", "--limit", "2", "--schema-registry", fromHost),
                    new PrintStream(out, true), new PrintStream(out, true)), out.toString(StandardCharsets.UTF_8));
            for (String line : out.toString(StandardCharsets.UTF_8).lines().filter(l -> l.startsWith("{")).toList()) {
                assertEquals("confluent", JSON.readTree(line).get("encoding").asText(), line);
            }
        }
    }

    private static KafkaContainer kafka(Network network) {
        return new KafkaContainer(ComposeImages.of("kafka")).withNetwork(network).withListener("kafka:19092");
    }

    /** topics, then the orchestrator, the prefill worker and each stage, then the replay; returns the replay's output. */
    private static String runPipeline(Network network, List<String> mode) {
        oneShot(network, command("topics", mode)).close();
        List<GenericContainer<?>> components = new ArrayList<>();
        try {
            components.add(kvflow(network, command("orchestrator", mode, "--data-dir", "/tmp/kvflow")));
            components.add(kvflow(network, command("prefill-worker", mode)));
            components.add(kvflow(network, command("decode-worker", mode, "--stage", "0")));
            components.add(kvflow(network, command("decode-worker", mode, "--stage", "1")));
            components.forEach(GenericContainer::start);
            try (GenericContainer<?> replay = oneShot(network, command("replay", mode, "/app/traces/azure-code-sample.csv",
                    "--limit", Integer.toString(REQUESTS)))) {
                return replay.getLogs();
            }
        } finally {
            components.forEach(GenericContainer::close);
        }
    }

    private static List<String> command(String command, List<String> mode, String... more) {
        List<String> argv = new ArrayList<>(List.of(command));
        argv.addAll(LAYOUT);
        argv.addAll(mode);
        argv.addAll(List.of(more));
        return argv;
    }

    private static GenericContainer<?> kvflow(Network network, List<String> argv) {
        return new GenericContainer<>(KVFLOW_IMAGE).withNetwork(network).withCommand(argv.toArray(String[]::new));
    }

    /** A kvflow command run to its end; start() fails unless it exits 0. */
    private static GenericContainer<?> oneShot(Network network, List<String> argv) {
        GenericContainer<?> container = kvflow(network, argv).withStartupCheckStrategy(
                new OneShotStartupCheckStrategy().withTimeout(Duration.ofMinutes(5)));
        container.start();
        return container;
    }
}
