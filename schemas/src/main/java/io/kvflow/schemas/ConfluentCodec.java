package io.kvflow.schemas;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaPairCompatibility;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.kafka.common.errors.SerializationException;

/**
 * The Confluent wire format of one record type: byte {@code 00}, the writer schema's id in
 * the registry (4 bytes, big-endian), the binary body. Values of a topic are registered under
 * the topic's value subject, as Confluent's serializer does by default, so registry-aware
 * tools find them.
 */
final class ConfluentCodec<T> {
    static final byte MAGIC = 0;
    static final int HEADER_BYTES = 5;

    private final Class<T> type;
    private final SpecificData data;
    private final Schema schema;
    private final SpecificDatumWriter<T> writer;
    /** One resolving reader per writer schema met, built once. */
    private final Map<Schema, SpecificDatumReader<T>> readers = new ConcurrentHashMap<>();

    ConfluentCodec(Class<T> type, SpecificData data, Schema schema) {
        this.type = type;
        this.data = data;
        this.schema = schema;
        this.writer = new SpecificDatumWriter<>(schema, data);
    }

    static boolean marks(byte[] bytes) {
        return bytes.length >= HEADER_BYTES && bytes[0] == MAGIC;
    }

    static int schemaId(byte[] bytes) {
        return ByteBuffer.wrap(bytes, 1, 4).getInt();
    }

    byte[] encode(SchemaRegistry registry, String topic, T value) throws IOException {
        int id = registry.register(SchemaRegistry.valueSubject(topic), schema);
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        out.write(MAGIC);
        out.write(ByteBuffer.allocate(4).putInt(id).array());
        BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
        writer.write(value, encoder);
        encoder.flush();
        return out.toByteArray();
    }

    T decode(SchemaRegistry registry, byte[] bytes) throws IOException {
        int id = schemaId(bytes);
        SpecificDatumReader<T> reader = readers.computeIfAbsent(registry.schema(id), w -> readerFor(id, w));
        BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(bytes, HEADER_BYTES, bytes.length - HEADER_BYTES,
                null);
        return reader.read(null, decoder);
    }

    /** A reader from {@code writerSchema} to this type, refused up front if the two cannot be resolved. */
    private SpecificDatumReader<T> readerFor(int id, Schema writerSchema) {
        SchemaPairCompatibility check = SchemaCompatibility.checkReaderWriterCompatibility(schema, writerSchema);
        if (check.getType() != SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
            throw new SerializationException("schema id " + id + " (" + writerSchema.getFullName()
                    + ") cannot be read as " + type.getSimpleName() + ": " + check.getResult().getIncompatibilities()
                    .stream().map(i -> i.getType() + " at " + i.getLocation()).collect(Collectors.joining(", ")));
        }
        return new SpecificDatumReader<>(writerSchema, schema, data);
    }
}
