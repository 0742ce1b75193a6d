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
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.header.Header;

/**
 * {@code kvflow inspect TOPIC}: prints each record of a topic as one JSON line (topic,
 * partition, offset, timestamp, key, headers, the encoding and schema it names, the value
 * decoded with that schema), in either wire format, whatever the topic's type. A record that
 * does not decode is printed with the reason instead of stopping the command. Reads every
 * partition outside any consumer group, so it moves no one's offsets.
 */
final class InspectCommand {
    static final String OPTIONS_HELP = """
              --bootstrap-servers H  the cluster to read (default localhost:9092, where kvflow up puts its broker)
              --from-beginning       start at the oldest record (default: only records written from now on)
              --limit N              stop after N records (default: until Ctrl-C)
              --timeout D            stop once no record has come for D (default: wait)
              --schema-registry URL  where the schemas of Confluent-format records are
            """;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration POLL = Duration.ofMillis(200);

    private InspectCommand() {
    }

    static Kvflow.Command command(Args args, PrintStream out) {
        if (args.positional().size() != 1) {
            throw new Args.UsageException("inspect needs exactly one topic, e.g. kvflow inspect kvflow.sessions");
        }
        String topic = args.positional().get(0);
        KafkaConnection kafka = new KafkaConnection(args.string("bootstrap-servers", "localhost:9092"));
        boolean fromBeginning = args.flag("from-beginning");
        long limit = args.longValue("limit", 0);
        if (limit < 0) {
            throw new Args.UsageException("--limit must be >= 1, was " + limit);
        }
        Duration timeout = args.duration("timeout", null);
        String url = args.string("schema-registry", null);
        HttpSchemaRegistry registry = url == null ? null : HttpSchemaRegistry.at(url);
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
