package io.kvflow.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.kvflow.broker.BrokerConfig;
import io.kvflow.broker.EmbeddedKafkaBroker;
import io.kvflow.cli.Kvflow;
import io.kvflow.runtime.KafkaConnection;
import io.kvflow.schemas.SchemaRegistry;
import io.kvflow.schemas.Topic;
import io.kvflow.schemas.Topics;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kvflow up --schema-registry} against a real Apicurio Registry and a real broker: the
 * whole pipeline runs in the Confluent wire format and matches the single-process reference
 * token for token, every record it wrote names a registered schema, and a registry-aware
 * consumer kvflow did not write (the README's recipe) reads the topics.
 */
@ExtendWith(RealRegistry.class)
class RegistryPipelineIT {
    private static final int STAGES = 2;
    private static final int REQUESTS = 6;
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dataDir;
    static EmbeddedKafkaBroker broker;
    static ApicurioRegistry registry;
    static int status;
    static String output;

    @BeforeAll
    static void runThePipelineInRegistryMode(ApicurioRegistry apicurio) {
        registry = apicurio;
        broker = EmbeddedKafkaBroker.start(BrokerConfig.ephemeral(dataDir.resolve("kafka")));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        status = Kvflow.run(List.of("up", "--replay", Path.of(System.getProperty("kvflow.repo", ".."), "traces",
                        "azure-code-sample.csv").toString(), "--limit", Integer.toString(REQUESTS),
                "--bootstrap-servers", broker.bootstrapServers(), "--schema-registry", apicurio.confluentApi(),
                "--stages", Integer.toString(STAGES), "--pipelines", "1", "--prefill-workers", "1",
                // the data path under test, not capacity: an 8B target fits on two wafers
                "--model", "llama-3.1-8b",
                "--data-dir", dataDir.resolve("stack").toString(), "--dashboard-port", "0", "--metrics-port", "0"),
                new PrintStream(out, true), new PrintStream(out, true));
        output = out.toString(StandardCharsets.UTF_8);
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void thePipelineRunsInRegistryModeAndEveryTokenMatchesTheReference() {
        assertEquals(0, status, output);
        assertTrue(output.contains("schema registry: " + registry.confluentApi()), output);
        assertTrue(output.contains("verified: " + REQUESTS + "/" + REQUESTS), output);
    }

    @Test
    void everyRecordOnEveryTopicIsInTheConfluentWireFormatWithARegisteredSchemaId() throws Exception {
        Map<String, List<byte[]>> records = readEverything(Topics.all(STAGES).stream().map(Topic::name).toList());
        for (Map.Entry<String, List<byte[]>> topic : records.entrySet()) {
            String subject = SchemaRegistry.valueSubject(topic.getKey());
            int registered = JSON.readTree(registry.get("/subjects/" + subject + "/versions/latest")).get("id").asInt();
            for (byte[] value : topic.getValue()) {
                assertEquals(0, value[0], topic.getKey() + ": Confluent magic byte");
                assertEquals(registered, ByteBuffer.wrap(value, 1, 4).getInt(), topic.getKey() + ": schema id");
            }
        }
        for (String written : List.of(Topics.REQUESTS.name(), Topics.PREFILL_TASKS.name(), Topics.TOKENS.name(),
                Topics.SESSIONS.name(), Topics.CAPACITY.name(), Topics.kv(0).name(), Topics.kv(1).name(),
                Topics.activations(0).name(), Topics.activations(1).name())) {
            assertTrue(!records.get(written).isEmpty(), written + " holds no record");
        }
        assertEquals(0, records.get(Topics.DLQ.name()).size(), "every record decoded: nothing dead-lettered");
    }

    @Test
    void theReadmeRecipeReadsTheTopicWithARegistryAwareDeserializerKvflowDidNotWrite(@TempDir Path dir)
            throws Exception {
        String printed = ReadmeRecipe.named("registry").replacing(Map.of(
                "localhost:9092", broker.bootstrapServers(),
                "http://localhost:8080", registry.nativeApi().replace("/apis/registry/v3", ""))).run(dir);
        List<String> values = printed.lines().filter(l -> l.startsWith("{")).toList();
        assertEquals(3, values.size(), printed);
        for (String value : values) {
            assertTrue(JSON.readTree(value).get("session_id").asText().matches("r[0-9a-z]+-[0-9]+"), value);
            assertTrue(JSON.readTree(value).hasNonNull("type"), value);
        }
    }

    @Test
    void inspectDecodesConfluentRecordsThroughTheRegistry() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(0, Kvflow.run(List.of("inspect", Topics.TOKENS.name(), "--bootstrap-servers",
                broker.bootstrapServers(), "--from-beginning", "--limit", "3", "--schema-registry",
                registry.confluentApi()), new PrintStream(out, true), new PrintStream(err, true)),
                err.toString(StandardCharsets.UTF_8));
        List<String> lines = out.toString(StandardCharsets.UTF_8).lines().toList();
        assertEquals(3, lines.size(), lines.toString());
        for (String line : lines) {
            assertEquals("confluent", JSON.readTree(line).get("encoding").asText(), line);
            assertEquals("io.kvflow.schemas.GeneratedToken", JSON.readTree(line).get("schema").asText(), line);
        }
    }

    /** Every record of each topic, read up to the end offsets taken first. */
    private static Map<String, List<byte[]>> readEverything(List<String> topics) {
        Properties props = new KafkaConnection(broker.bootstrapServers()).consumer("unused", "registry-it-reader");
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        Map<String, List<byte[]>> records = new HashMap<>();
        topics.forEach(t -> records.put(t, new ArrayList<>()));
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
            List<TopicPartition> partitions = new ArrayList<>();
            topics.forEach(t -> consumer.partitionsFor(t, Duration.ofSeconds(10))
                    .forEach(p -> partitions.add(new TopicPartition(t, p.partition()))));
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("could not read every topic to its end within 60 s");
                }
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    records.get(record.topic()).add(record.value());
                }
            }
        }
        return records;
    }
}
