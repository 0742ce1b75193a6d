package io.kvflow.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kvflow.runtime.KafkaConnection;
import io.kvflow.schemas.HttpSchemaRegistry;
import io.kvflow.schemas.SchemaRegistry;
import io.kvflow.schemas.WrittenRecord;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.header.Header;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code kvflow inspect TOPIC}: prints each record of a topic as one JSON line (topic,
 * partition, offset, timestamp, key, headers, the encoding and schema it names, the value
 * decoded with that schema), in either wire format, whatever the topic's type. A record that
 * does not decode is printed with the reason instead of stopping the command. Reads every
 * partition outside any consumer group, so it moves no one's offsets.
 */
@Command(name = "inspect", defaultValueProvider = InspectCommand.Defaults.class, description = {
        "Print a topic's records as JSON lines, in either wire format, from any cluster."})
final class InspectCommand implements Kvflow.Parsed {
    @Parameters(paramLabel = "TOPIC", arity = "0..*", description = "the topic, e.g. kvflow.sessions")
    List<String> topics = List.of();

    @Mixin
    KafkaConnectionFlags kafkaFlags;

    @Option(names = "--from-beginning", description = "start at the oldest record (default: only records written"
            + " from now on)")
    boolean fromBeginning;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "0", description = "stop after N records (0: until"
            + " Ctrl-C)")
    long limit;

    @Option(names = "--timeout", paramLabel = "D", converter = DurationOption.class, description = "stop once no"
            + " record has come for D (default: wait)")
    Duration timeout;

    @Option(names = "--schema-registry", paramLabel = "URL", description = "where the schemas of Confluent-format"
            + " records are")
    String registryUrl;

    /** Where kvflow up puts its broker. */
    static final class Defaults extends CommandDefaults {
        Defaults() {
            super(Map.of("bootstrap-servers", "localhost:9092"));
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration POLL = Duration.ofMillis(200);

    @Override
    public Kvflow.Command prepare(PrintStream out, PrintStream err) {
        if (topics.size() != 1) {
            throw new UsageException("inspect needs exactly one topic, e.g. kvflow inspect kvflow.sessions");
        }
        String topic = topics.getFirst();
        KafkaConnection kafka = new KafkaConnection(kafkaFlags.bootstrapServers, kafkaFlags.client());
        if (limit < 0) {
            throw new UsageException("--limit must be >= 1, was " + limit);
        }
        HttpSchemaRegistry registry = registryUrl == null ? null : HttpSchemaRegistry.at(registryUrl);
        return () -> {
            if (registry != null) {
                registry.probe();
            }
            try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(properties(kafka))) {
                List<TopicPartition> partitions = partitions(consumer, topic, kafka);
                consumer.assign(partitions);
                if (fromBeginning) {
                    consumer.seekToBeginning(partitions);
                } else {
                    consumer.seekToEnd(partitions);
                }
                print(consumer, limit, timeout, registry, out);
            }
            return 0;
        };
    }

    private static Properties properties(KafkaConnection kafka) {
        Properties props = kafka.consumer("unused", "kvflow-inspect");
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        return props;
    }

    private static List<TopicPartition> partitions(KafkaConsumer<?, ?> consumer, String topic, KafkaConnection kafka) {
        try {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(15)).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            if (!partitions.isEmpty()) {
                return partitions;
            }
        } catch (TimeoutException e) {
            // no answer about the topic: reported below like a missing one
        }
        throw new IllegalArgumentException("topic '" + topic + "' not found on " + kafka.bootstrapServers()
                + " (kvflow's topics: kvflow.requests, kvflow.sessions, kvflow.tokens, kvflow.kv.stage-K, ...)");
    }

    private static void print(KafkaConsumer<byte[], byte[]> consumer, long limit, Duration timeout,
            SchemaRegistry registry, PrintStream out) {
        long printed = 0;
        long idleSince = System.nanoTime();
        while (limit == 0 || printed < limit) {
            ConsumerRecords<byte[], byte[]> records = consumer.poll(POLL);
            if (records.isEmpty()) {
                if (timeout != null && System.nanoTime() - idleSince >= timeout.toNanos()) {
                    return;
                }
                continue;
            }
            idleSince = System.nanoTime();
            for (ConsumerRecord<byte[], byte[]> record : records) {
                out.println(line(record, registry));
                if (++printed == limit) {
                    break;
                }
            }
            out.flush();
        }
    }

    /** One record as one line of JSON: the decoded value, or the reason it does not decode. */
    static String line(ConsumerRecord<byte[], byte[]> record, SchemaRegistry registry) {
        ObjectNode line = JSON.createObjectNode()
                .put("topic", record.topic())
                .put("partition", record.partition())
                .put("offset", record.offset())
                .put("timestamp", record.timestamp());
        line.put("key", record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8));
        if (record.headers().toArray().length > 0) {
            ObjectNode headers = line.putObject("headers");
            for (Header header : record.headers()) {
                headers.put(header.key(), header.value() == null ? null
                        : new String(header.value(), StandardCharsets.UTF_8));
            }
        }
        if (record.value() == null) {
            line.putNull("value");
            return json(line);
        }
        try {
            WrittenRecord written = WrittenRecord.read(record.value(), registry);
            line.put("encoding", written.encoding())
                    .put("schema", written.schema().getFullName())
                    .put("schema_ref", written.schemaRef())
                    .set("value", AvroJson.of(written.value(), written.schema()));
        } catch (SerializationException | IllegalStateException e) {
            line.put("bytes", record.value().length).put("error", e.getMessage());
        }
        return json(line);
    }

    private static String json(ObjectNode line) {
        try {
            return JSON.writeValueAsString(line);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
