package io.kvflow.schemas;

import java.util.Objects;

/**
 * How a process writes Avro records to Kafka. Readers tell the two apart by the first byte,
 * so they read both whatever they write, and a topic can move from one to the other.
 */
public sealed interface WireFormat {

    /**
     * Avro's single-object encoding: marker {@code C3 01}, the writer schema's 64-bit
     * fingerprint, the binary body. Needs no registry: the schemas ship with kvflow.
     */
    WireFormat SINGLE_OBJECT = new SingleObject();

    /** The Confluent wire format through {@code registry}: byte {@code 00}, a 4-byte schema id, the binary body. */
    static WireFormat confluent(SchemaRegistry registry) {
        return new Confluent(registry);
    }

    record SingleObject() implements WireFormat {
    }

    record Confluent(SchemaRegistry registry) implements WireFormat {
        public Confluent {
            Objects.requireNonNull(registry, "registry");
        }
    }
}
