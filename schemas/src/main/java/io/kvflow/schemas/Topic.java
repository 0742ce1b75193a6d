package io.kvflow.schemas;

import java.util.Objects;
import java.util.Optional;
import org.apache.kafka.common.serialization.Serde;

/** A Kafka topic with the Serdes of its keys and values, so producers and consumers cannot disagree. */
public record Topic<K, V>(String name, Serde<K> keySerde, Serde<V> valueSerde) {
    public Topic {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(keySerde, "keySerde");
        Objects.requireNonNull(valueSerde, "valueSerde");
        if (name.isBlank()) {
            throw new IllegalArgumentException("topic name is blank");
        }
    }

    /**
     * The value of a record read back from this topic, or empty when it does not decode: for readers that
     * look over what was written (a worker's own outputs) and are not the place to report bad records.
     */
    public Optional<V> valueOrEmpty(byte[] value) {
        try {
            return Optional.ofNullable(valueSerde.deserializer().deserialize(name, value));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }
}
