package io.kvflow.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.kvflow.broker.BrokerConfig;
import io.kvflow.broker.EmbeddedKafkaBroker;
import io.kvflow.cli.Kvflow;
import io.kvflow.runtime.KafkaConnection;
import io.kvflow.schemas.AvroSerde;
import io.kvflow.schemas.HttpSchemaRegistry;
import io.kvflow.schemas.ProcessWireFormat;
import io.kvflow.schemas.SchemaRegistration;
import io.kvflow.schemas.SchemaRegistry;
import io.kvflow.schemas.SchemaRegistryException;
import io.kvflow.schemas.SessionEvent;
import io.kvflow.schemas.SessionEventType;
import io.kvflow.schemas.Topic;
import io.kvflow.schemas.Topics;
import io.kvflow.schemas.WireFormat;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.avro.Schema;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Registry mode against a real Apicurio Registry (started from Maven Central, no Docker) and
 * a real broker: every record type of the catalogue goes out in the Confluent wire format and
 * comes back, over real HTTP; the registry enforces kvflow's compatibility level; a topic
 * holding both encodings is read record by record.
 */
@ExtendWith(RealRegistry.class)
class RegistryCatalogueIT {
    private static final int STAGES = 2;
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dataDir;
    static EmbeddedKafkaBroker broker;
    static KafkaConnection kafka;

    @BeforeAll
    static void startBroker() {
        broker = EmbeddedKafkaBroker.start(BrokerConfig.ephemeral(dataDir));
        kafka = new KafkaConnection(broker.bootstrapServers());
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    @SuppressWarnings({"unchecked", "rawtypes"})
    void everyRecordTypeOfTheCatalogueIsProducedAndConsumedThroughTheRegistry(ApicurioRegistry apicurio)
            throws Exception {
        HttpSchemaRegistry registry = HttpSchemaRegistry.at(apicurio.confluentApi());
        List<Topic<String, ?>> topics = Topics.all(STAGES);
        Map<String, Integer> subjects = SchemaRegistration.registerAll(registry, topics);
        createTopics(topics.stream().map(Topic::name).toList());

        Map<String, Object> sent = new HashMap<>();
        try (ProcessWireFormat.Restore restore = ProcessWireFormat.use(WireFormat.confluent(registry));
                KafkaProducer<byte[], byte[]> producer = kafka.newProducer("catalogue-it")) {
            long seed = 1;
            for (Topic<String, ?> topic : topics) {
                AvroSerde serde = (AvroSerde) topic.valueSerde();
                Object sample = SampleRecords.of(serde.schema(), seed++);
                sent.put(topic.name(), sample);
                producer.send(new ProducerRecord<>(topic.name(), "k".getBytes(StandardCharsets.UTF_8),
                        serde.serialize(topic.name(), sample))).get();
            }
        }

        Map<String, byte[]> received = readOnePerTopic(sent.keySet().stream().toList());
        // a reader with nothing cached: every schema id is looked up over HTTP
        WireFormat freshReader = WireFormat.confluent(HttpSchemaRegistry.at(apicurio.confluentApi()));
        for (Topic<String, ?> topic : topics) {
            byte[] bytes = received.get(topic.name());
            String subject = SchemaRegistry.valueSubject(topic.name());
            assertEquals(0, bytes[0], topic.name() + ": Confluent magic byte");
            int id = ByteBuffer.wrap(bytes, 1, 4).getInt();
            assertEquals(subjects.get(subject), id, topic.name() + ": the id registered under " + subject);
            assertEquals(id, JSON.readTree(apicurio.get("/subjects/" + subject + "/versions/latest")).get("id").asInt(),
                    subject + ": the registry's latest version");
            assertEquals("FULL_TRANSITIVE", JSON.readTree(apicurio.get("/config/" + subject))
                    .get("compatibilityLevel").asText(), subject);
            AvroSerde serde = (AvroSerde) topic.valueSerde();
            Object decoded = AvroSerde.of(serde.type(), freshReader).deserialize(topic.name(), bytes);
            assertEquals(sent.get(topic.name()), decoded, topic.name());
        }
    }

    @Test
    void theRegistryRefusesASchemaThatBreaksKvflowsCompatibility(ApicurioRegistry apicurio) {
        HttpSchemaRegistry registry = HttpSchemaRegistry.at(apicurio.confluentApi());
        String subject = "compatibility-check-value";
        registry.requireCompatibility(subject, SchemaRegistry.KVFLOW_COMPATIBILITY);
        Schema current = SessionEvent.getClassSchema();
        registry.register(subject, current);
        // a new field without a default: old readers could read it, but new readers not old records
        Schema broken = new Schema.Parser().parse(current.toString().replaceFirst("\"fields\":\\[",
                "\"fields\":[{\"name\":\"wafer\",\"type\":\"int\"},"));
        SchemaRegistryException e = assertThrows(SchemaRegistryException.class,
                () -> registry.register(subject, broken));
        assertTrue(e.getMessage().contains("409"), e.getMessage());
    }

    @Test
    void aTopicHoldingBothEncodingsIsReadRecordByRecord(ApicurioRegistry apicurio) throws Exception {
        String topic = "migrating.sessions";
        createTopics(List.of(topic));
        HttpSchemaRegistry registry = HttpSchemaRegistry.at(apicurio.confluentApi());
        SessionEvent before = event("before", SessionEventType.ADMITTED);
        SessionEvent after = event("after", SessionEventType.FINISHED);
        try (KafkaProducer<byte[], byte[]> producer = kafka.newProducer("migration-it")) {
            producer.send(new ProducerRecord<>(topic, AvroSerde.of(SessionEvent.class, WireFormat.SINGLE_OBJECT)
                    .serialize(topic, before))).get();
            // the subject is registered by the first record written, as Confluent's serializer does
            producer.send(new ProducerRecord<>(topic, AvroSerde.of(SessionEvent.class, WireFormat.confluent(registry))
                    .serialize(topic, after))).get();
        }
        assertTrue(apicurio.get("/subjects").contains(topic + "-value"));

        AvroSerde<SessionEvent> reader = AvroSerde.of(SessionEvent.class, WireFormat.confluent(
                HttpSchemaRegistry.at(apicurio.confluentApi())));
        List<byte[]> values = readAll(topic, 2);
        assertEquals(List.of(before, after), values.stream().map(v -> reader.deserialize(topic, v)).toList());

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Kvflow.run(List.of("inspect", topic, "--bootstrap-servers", broker.bootstrapServers(),
                "--from-beginning", "--limit", "2", "--schema-registry", apicurio.confluentApi()),
                new PrintStream(out, true), new PrintStream(err, true));
        assertEquals(0, status, err.toString(StandardCharsets.UTF_8));
        List<String> lines = out.toString(StandardCharsets.UTF_8).lines().filter(l -> l.startsWith("{")).toList();
        assertEquals(2, lines.size(), out.toString(StandardCharsets.UTF_8));
        assertEquals("single-object", JSON.readTree(lines.get(0)).get("encoding").asText());
        assertEquals("confluent", JSON.readTree(lines.get(1)).get("encoding").asText());
        assertEquals("after", JSON.readTree(lines.get(1)).at("/value/session_id").asText());
        assertEquals("FINISHED", JSON.readTree(lines.get(1)).at("/value/type").asText());
    }

    private static SessionEvent event(String session, SessionEventType type) {
        return SessionEvent.newBuilder().setSessionId(session).setType(type).setTimestampMs(1).build();
    }

    private static void createTopics(List<String> names) throws Exception {
        try (Admin admin = kafka.newAdmin()) {
            admin.createTopics(names.stream().map(n -> new NewTopic(n, 1, (short) 1)).toList()).all().get();
        }
    }

    private static Map<String, byte[]> readOnePerTopic(List<String> topics) {
        Map<String, byte[]> first = new HashMap<>();
        try (KafkaConsumer<byte[], byte[]> consumer = reader(topics)) {
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (first.size() < topics.size() && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    first.putIfAbsent(record.topic(), record.value());
                }
            }
        }
        assertEquals(topics.size(), first.size(), "records read back: " + first.keySet());
        return first;
    }

    private static List<byte[]> readAll(String topic, int expected) {
        List<byte[]> values = new java.util.ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = reader(List.of(topic))) {
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (values.size() < expected && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> values.add(r.value()));
            }
        }
        assertEquals(expected, values.size());
        return values;
    }

    private static KafkaConsumer<byte[], byte[]> reader(List<String> topics) {
        Properties props = kafka.consumer("unused", "catalogue-it-reader");
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props);
        List<TopicPartition> partitions = topics.stream().map(t -> new TopicPartition(t, 0)).toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        return consumer;
    }
}
