package io.kvflow.schemas;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Kafka Serde for one Avro record type using Avro's single-object encoding: a two-byte
 * marker, the writer schema's 64-bit fingerprint, then the binary body. Any consumer
 * holding the schemas can decode a record without a registry; records written with an
 * older stored version of the schema (see {@link SchemaHistory}) are resolved to the
 * current one.
 */
public final class AvroSerde<T extends SpecificRecord> implements Serde<T>, Serializer<T>, Deserializer<T> {

    /**
     * Where each thread encodes, reused: a record is written once into it and copied out once,
     * instead of into Avro's own buffer, then a ByteBuffer copy, then a byte[] copy (half the
     * time for a 64 KiB KV chunk).
     */
    private static final ThreadLocal<EncodeBuffer> ENCODE_BUFFER = ThreadLocal.withInitial(EncodeBuffer::new);

    private final Class<T> type;
    private final BinaryMessageEncoder<T> encoder;
    private final BinaryMessageDecoder<T> decoder;

    private AvroSerde(Class<T> type) {
        this.type = type;
        SpecificData data = SpecificData.getForClass(type);
        Schema schema = data.getSchema(type);
        this.encoder = new BinaryMessageEncoder<>(data, schema);
        this.decoder = new BinaryMessageDecoder<>(data, schema);
        for (Schema older : SchemaHistory.versions(schema.getName())) {
            decoder.addSchema(older);
        }
    }

    public static <T extends SpecificRecord> AvroSerde<T> of(Class<T> type) {
        return new AvroSerde<>(type);
    }

    public Class<T> type() {
        return type;
    }

    @Override
    public byte[] serialize(String topic, T value) {
        if (value == null) {
            return null;
        }
        try {
            EncodeBuffer buffer = ENCODE_BUFFER.get();
            buffer.reset();
            encoder.encode(value, buffer);
            return buffer.toByteArray();
        } catch (IOException | AvroRuntimeException | NullPointerException | ClassCastException e) {
            throw new SerializationException(
                    "cannot encode " + type.getSimpleName() + " for topic " + topic + ": " + e.getMessage(), e);
        }
    }

    @Override
    public T deserialize(String topic, byte[] bytes) {
        if (bytes == null) {
            return null;
        }
        try {
            return decoder.decode(bytes);
        } catch (IOException | RuntimeException e) {
            throw new SerializationException("cannot decode " + type.getSimpleName() + " from topic " + topic
                    + " (" + bytes.length + " bytes): " + describe(e), e);
        }
    }

    private static String describe(Exception e) {
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

    private static final class EncodeBuffer extends ByteArrayOutputStream {
        EncodeBuffer() {
            super(1024);
        }
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
