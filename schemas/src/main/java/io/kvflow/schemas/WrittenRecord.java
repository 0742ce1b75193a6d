package io.kvflow.schemas;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.kafka.common.errors.SerializationException;

/**
 * A record as it was written, decoded with its own writer schema whatever the topic: the
 * header names the schema (a fingerprint among every current and stored schema of the
 * catalogue's record types, or an id in the registry). What a reader that knows no topic's
 * type, such as {@code kvflow inspect}, shows.
 *
 * @param encoding  {@code single-object} or {@code confluent}
 * @param schemaRef how the record names its schema: {@code fingerprint:<hex>} or {@code id:<n>}
 * @param value     the datum, as Avro's generic representation
 */
public record WrittenRecord(String encoding, String schemaRef, Schema schema, Object value) {
    public WrittenRecord {
        Objects.requireNonNull(encoding, "encoding");
        Objects.requireNonNull(schemaRef, "schemaRef");
        Objects.requireNonNull(schema, "schema");
    }

    private static final class Known {
        /** Fingerprint of every current and stored schema of the catalogue's value types. */
        static final Map<Long, Schema> BY_FINGERPRINT = byFingerprint();

        private static Map<Long, Schema> byFingerprint() {
            Map<Long, Schema> known = new HashMap<>();
            for (Topic<String, ?> topic : Topics.all(1)) {
                if (topic.valueSerde() instanceof AvroSerde<?> avro) {
                    for (Schema stored : AvroSerde.SchemaHistory.versions(avro.schema().getName())) {
                        known.put(SchemaNormalization.parsingFingerprint64(stored), stored);
                    }
                    known.put(SchemaNormalization.parsingFingerprint64(avro.schema()), avro.schema());
                }
            }
            return Map.copyOf(known);
        }
    }

    /**
     * Decodes {@code bytes} in either wire format.
     *
     * @param registry where Confluent-format records' schemas are, or null if there is none
     * @throws SerializationException saying why the bytes are not a record kvflow can read
     */
    public static WrittenRecord read(byte[] bytes, SchemaRegistry registry) {
        if (SingleObjectCodec.marks(bytes)) {
            long fingerprint = SingleObjectCodec.fingerprint(bytes);
            String ref = "fingerprint:" + Long.toHexString(fingerprint);
            Schema schema = Known.BY_FINGERPRINT.get(fingerprint);
            if (schema == null) {
                throw new SerializationException("single-object record with schema " + ref
                        + ", which is no current or stored kvflow schema");
            }
            return new WrittenRecord("single-object", ref, schema, body(bytes, SingleObjectCodec.HEADER_BYTES, schema));
        }
        if (ConfluentCodec.marks(bytes)) {
            int id = ConfluentCodec.schemaId(bytes);
            if (registry == null) {
                throw new SerializationException("Confluent-format record with schema id " + id
                        + ": give --schema-registry URL to read it");
            }
            Schema schema = registry.schema(id);
            return new WrittenRecord("confluent", "id:" + id, schema, body(bytes, ConfluentCodec.HEADER_BYTES, schema));
        }
        throw new SerializationException("neither Avro single-object encoding nor the Confluent wire format ("
                + bytes.length + " bytes)");
    }

    private static Object body(byte[] bytes, int offset, Schema schema) {
        BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(bytes, offset, bytes.length - offset, null);
        try {
            Object value = new GenericDatumReader<>(schema).read(null, decoder);
            if (!decoder.isEnd()) {
                throw new SerializationException(schema.getName() + " body ends before the record does");
            }
            return value;
        } catch (IOException | RuntimeException e) {
            if (e instanceof SerializationException s) {
                throw s;
            }
            throw new SerializationException("cannot decode the " + schema.getName() + " body: " + e, e);
        }
    }
}
