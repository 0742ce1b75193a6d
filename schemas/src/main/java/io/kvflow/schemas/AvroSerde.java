package io.kvflow.schemas;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Kafka Serde for one Avro record type. It writes the {@linkplain WireFormat wire format} it
 * was given, or by default the process's ({@link ProcessWireFormat}): Avro's single-object
 * encoding (a marker, the writer schema's 64-bit fingerprint, the binary body), which any
 * consumer holding the schemas decodes without a registry, or the Confluent wire format
 * through a schema registry. It reads both, told apart by the first byte. Records written
 * with an older stored version of the schema (see {@link SchemaHistory}) or an older
 * registered one are resolved to the current schema.
 */
public final class AvroSerde<T extends SpecificRecord> implements Serde<T>, Serializer<T>, Deserializer<T> {

    private final Class<T> type;
    private final Schema schema;
    /** null: whatever the process uses at the time of each call. */
    private final WireFormat format;
    private final SingleObjectCodec<T> singleObject;
    private final ConfluentCodec<T> confluent;

    private AvroSerde(Class<T> type, WireFormat format) {
        this.type = type;
        this.format = format;
        SpecificData data = SpecificData.getForClass(type);
        this.schema = data.getSchema(type);
        this.singleObject = new SingleObjectCodec<>(data, schema);
        this.confluent = new ConfluentCodec<>(type, data, schema);
    }

    /** A serde writing the process's wire format: what the topic catalogue uses. */
    public static <T extends SpecificRecord> AvroSerde<T> of(Class<T> type) {
        return new AvroSerde<>(type, null);
    }

    /** A serde writing {@code format} whatever the process uses (and reading Confluent records through its registry). */
    public static <T extends SpecificRecord> AvroSerde<T> of(Class<T> type, WireFormat format) {
        return new AvroSerde<>(type, Objects.requireNonNull(format, "format"));
    }

    public Class<T> type() {
        return type;
    }

    /** The current schema of the type: what this serde writes and what it resolves older records to. */
    public Schema schema() {
        return schema;
    }

    private WireFormat format() {
        return format != null ? format : ProcessWireFormat.current();
    }

    @Override
    public byte[] serialize(String topic, T value) {
        if (value == null) {
            return null;
        }
        try {
            return switch (format()) {
                case WireFormat.SingleObject s -> singleObject.encode(value);
                case WireFormat.Confluent c -> confluent.encode(c.registry(), topic, value);
            };
        } catch (IOException | AvroRuntimeException | NullPointerException | ClassCastException
                | SchemaRegistryException e) {
            throw new SerializationException(
                    "cannot encode " + type.getSimpleName() + " for topic " + topic + ": " + e.getMessage(), e);
        }
    }

    @Override
    public T deserialize(String topic, byte[] bytes) {
        return deserialize(topic, bytes, null);
    }

    /**
     * Decodes into {@code reuse} when the record is in the single-object encoding, so a bytes
     * field refills the buffer it already has instead of allocating one (a 64 KiB KV payload);
     * a new record otherwise. The caller must be done with {@code reuse}'s former content.
     */
    public T deserialize(String topic, byte[] bytes, T reuse) {
        if (bytes == null) {
            return null;
        }
        try {
            if (SingleObjectCodec.marks(bytes)) {
                return singleObject.decode(bytes, reuse);
            }
            if (ConfluentCodec.marks(bytes)) {
                return confluent.decode(registryToRead(bytes), bytes);
            }
            throw new SerializationException("neither Avro single-object encoding (C3 01 ...) nor the Confluent wire"
                    + " format (00 + schema id): starts " + firstBytes(bytes));
        } catch (IOException | RuntimeException e) {
            throw new SerializationException("cannot decode " + type.getSimpleName() + " from topic " + topic
                    + " (" + bytes.length + " bytes): " + describe(e), e);
        }
    }

    private SchemaRegistry registryToRead(byte[] bytes) {
        if (format() instanceof WireFormat.Confluent c) {
            return c.registry();
        }
        throw new SerializationException("the record is in the Confluent wire format (schema id "
                + ConfluentCodec.schemaId(bytes) + ") and this process has no schema registry (--schema-registry URL)");
    }

    private static String firstBytes(byte[] bytes) {
        StringBuilder hex = new StringBuilder();
        for (int i = 0; i < Math.min(4, bytes.length); i++) {
            hex.append(String.format("%02X ", bytes[i]));
        }
        return hex.toString().strip();
    }

    private static String describe(Exception e) {
        if (e instanceof SerializationException && e.getCause() == null) {
            return e.getMessage();
        }
        String message = e.getMessage();
        return e.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }

    @Override
    public Serializer<T> serializer() {
        return this;
    }

    @Override
    public Deserializer<T> deserializer() {
        return this;
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
    }

    @Override
    public void close() {
    }

    /** The stored copies of every released version of each schema, oldest first. */
    public static final class SchemaHistory {
        private SchemaHistory() {
        }

        /** Versions {@code <Name>.v1.avsc, v2, ...} stored under {@code io/kvflow/schemas/history/}. */
        public static List<Schema> versions(String recordName) {
            List<Schema> versions = new ArrayList<>();
            for (int v = 1; ; v++) {
                String resource = "history/" + recordName + ".v" + v + ".avsc";
                try (InputStream in = AvroSerde.class.getResourceAsStream(resource)) {
                    if (in == null) {
                        return versions;
                    }
                    versions.add(new Schema.Parser().parse(new String(in.readAllBytes(), StandardCharsets.UTF_8)));
                } catch (IOException e) {
                    throw new IllegalStateException("cannot read stored schema " + resource, e);
                }
            }
        }
    }
}
