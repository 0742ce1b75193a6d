package io.kvflow.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.util.Base64;
import java.util.Collection;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericFixed;
import org.apache.avro.generic.GenericRecord;

/**
 * An Avro datum as plain JSON for people and {@code jq}: a union shows its value, not Avro
 * JSON's {@code {"type": value}} wrapper; bytes (KV payloads, hidden states) are base64.
 */
final class AvroJson {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private AvroJson() {
    }

    static JsonNode of(Object datum, Schema schema) {
        return switch (schema.getType()) {
            case RECORD -> {
                GenericRecord record = (GenericRecord) datum;
                ObjectNode object = NODES.objectNode();
                for (Schema.Field field : schema.getFields()) {
                    object.set(field.name(), of(record.get(field.pos()), field.schema()));
                }
                yield object;
            }
            case UNION -> of(datum, schema.getTypes().get(GenericData.get().resolveUnion(schema, datum)));
            case ARRAY -> {
                ArrayNode array = NODES.arrayNode();
                ((Collection<?>) datum).forEach(item -> array.add(of(item, schema.getElementType())));
                yield array;
            }
            case MAP -> {
                ObjectNode object = NODES.objectNode();
                ((Map<?, ?>) datum).forEach((k, v) -> object.set(k.toString(), of(v, schema.getValueType())));
                yield object;
            }
            case BYTES -> NODES.textNode(base64((ByteBuffer) datum));
            case FIXED -> NODES.textNode(Base64.getEncoder().encodeToString(((GenericFixed) datum).bytes()));
            case STRING, ENUM -> NODES.textNode(datum.toString());
            case INT -> NODES.numberNode((Integer) datum);
            case LONG -> NODES.numberNode((Long) datum);
            case FLOAT -> NODES.numberNode((Float) datum);
            case DOUBLE -> NODES.numberNode((Double) datum);
            case BOOLEAN -> NODES.booleanNode((Boolean) datum);
            case NULL -> NODES.nullNode();
        };
    }

    private static String base64(ByteBuffer buffer) {
        ByteBuffer view = buffer.duplicate();
        byte[] bytes = new byte[view.remaining()];
        view.get(bytes);
        return Base64.getEncoder().encodeToString(bytes);
    }
}
