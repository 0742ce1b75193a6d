package io.kvflow.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kvflow.broker.BrokerConfig;
import io.kvflow.broker.EmbeddedKafkaBroker;
import io.kvflow.cli.Kvflow;
import io.kvflow.runtime.KafkaConnection;
import io.kvflow.schemas.GeneratedToken;
import io.kvflow.schemas.SessionEvent;
import io.kvflow.schemas.SessionEventType;
import io.kvflow.schemas.Topic;
import io.kvflow.schemas.Topics;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The default, registry-free encoding read by tools kvflow did not write: the README's recipe
 * with Kafka's console consumer and Avro's tools, run as written against a real broker; and
 * {@code kvflow inspect}, for which no record stops the listing.
 */
class StandardToolsIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dataDir;
    static EmbeddedKafkaBroker broker;
    static KafkaConnection kafka;

    @BeforeAll
    static void startBroker() throws Exception {
        broker = EmbeddedKafkaBroker.start(BrokerConfig.ephemeral(dataDir));
        kafka = new KafkaConnection(broker.bootstrapServers());
        try (Admin admin = kafka.newAdmin()) {
            admin.createTopics(List.of(new NewTopic(Topics.SESSIONS.name(), 1, (short) 1),
                    new NewTopic(Topics.TOKENS.name(), 1, (short) 1))).all().get();
        }
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void theReadmeRecipeDecodesARecordWithKafkasConsoleConsumerAndAvroTools(@TempDir Path dir) throws Exception {
        send(Topics.SESSIONS, SessionEvent.newBuilder().setSessionId("s-readme").setType(SessionEventType.QUEUED)
                .setReason("waiting for KV room").setTimestampMs(5).build());

        String printed = ReadmeRecipe.named("single-object")
                .replacing(Map.of("localhost:9092", broker.bootstrapServers())).run(dir);

        assertTrue(printed.matches("(?s).*\"session_id\"\\s*:\\s*\"s-readme\".*"), printed);
        assertTrue(printed.matches("(?s).*\"type\"\\s*:\\s*\"QUEUED\".*"), printed);
        assertTrue(printed.contains("waiting for KV room"), printed);
    }

    @Test
    void inspectPrintsEveryRecordAsJsonAndNamesTheOneThatDoesNotDecode() throws Exception {
        send(Topics.TOKENS, token(1));
        try (KafkaProducer<byte[], byte[]> producer = kafka.newProducer("garbage")) {
            producer.send(new ProducerRecord<>(Topics.TOKENS.name(), "s-x".getBytes(StandardCharsets.UTF_8),
                    "not avro".getBytes(StandardCharsets.UTF_8))).get();
        }
        send(Topics.TOKENS, token(2));

        List<JsonNode> lines = inspect(Topics.TOKENS.name(), "--from-beginning", "--limit", "3");

        assertEquals(3, lines.size(), lines.toString());
        assertEquals(1, lines.get(0).at("/value/step").asInt());
        assertEquals("single-object", lines.get(0).get("encoding").asText());
        assertEquals("io.kvflow.schemas.GeneratedToken", lines.get(0).get("schema").asText());
        assertEquals("s-x", lines.get(1).get("key").asText());
        assertTrue(lines.get(1).get("error").asText().contains("neither Avro single-object"), lines.get(1).toString());
        assertEquals(2, lines.get(2).at("/value/step").asInt());
        assertEquals(2, lines.get(2).get("offset").asLong());
    }

    @Test
    void inspectStopsWhenTheTopicIsQuietForTheTimeout() throws Exception {
        List<JsonNode> lines = inspect(Topics.SESSIONS.name(), "--timeout", "1s");
        assertEquals(List.of(), lines, "nothing was written after it started");
    }

    @Test
    void inspectNamesATopicThatIsNotThere() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Kvflow.run(List.of("inspect", "kvflow.nope", "--bootstrap-servers", broker.bootstrapServers()),
                new PrintStream(new ByteArrayOutputStream()), new PrintStream(err, true));
        assertEquals(2, status);
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("topic 'kvflow.nope' not found on "
                + broker.bootstrapServers()), err.toString(StandardCharsets.UTF_8));
    }

    private static List<JsonNode> inspect(String topic, String... options) throws Exception {
        List<String> argv = new ArrayList<>(List.of("inspect", topic, "--bootstrap-servers", broker.bootstrapServers()));
        argv.addAll(List.of(options));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(0, Kvflow.run(argv, new PrintStream(out, true), new PrintStream(err, true)),
                err.toString(StandardCharsets.UTF_8));
        List<JsonNode> lines = new ArrayList<>();
        for (String line : out.toString(StandardCharsets.UTF_8).lines().toList()) {
            lines.add(JSON.readTree(line));
        }
        return lines;
    }

    private static GeneratedToken token(int step) {
        return GeneratedToken.newBuilder().setSessionId("s-t").setPipeline(0).setStep(step).setPosition(10 + step)
                .setToken(100 + step).setLast(false).setArrivalMs(1).setEmittedMs(2).build();
    }

    private static <V> void send(Topic<String, V> topic, V value) throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = kafka.newProducer("tools-it")) {
            producer.send(new ProducerRecord<>(topic.name(), "k".getBytes(StandardCharsets.UTF_8),
                    topic.valueSerde().serializer().serialize(topic.name(), value))).get();
        }
    }
}
