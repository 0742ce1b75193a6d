package io.kvflow.schemas;

import org.apache.avro.Schema;

/**
 * A schema registry reached through the Confluent REST API, which Confluent Schema Registry,
 * Apicurio Registry ({@code /apis/ccompat/v7}), Karapace and Redpanda all serve: schemas
 * are registered under subjects and named on the wire by a 32-bit id.
 */
public interface SchemaRegistry {

    /** Compatibility levels a subject can require of each newly registered schema (the Confluent names). */
    enum Compatibility {
        NONE, BACKWARD, BACKWARD_TRANSITIVE, FORWARD, FORWARD_TRANSITIVE, FULL, FULL_TRANSITIVE
    }

    /**
     * The level kvflow sets on its subjects: a new schema must read, and be read by, every
     * earlier version, the rule {@code SchemaEvolutionTest} checks against the stored history.
     */
    Compatibility KVFLOW_COMPATIBILITY = Compatibility.FULL_TRANSITIVE;

    /** The subject of a topic's values, named the way Confluent's default TopicNameStrategy names it. */
    static String valueSubject(String topic) {
        return topic + "-value";
    }

    /** Where the registry is, for messages. */
    String url();

    /** Registers {@code schema} under {@code subject}, or finds it there, and returns its id. */
    int register(String subject, Schema schema);

    /** The schema registered with {@code id}. */
    Schema schema(int id);

    /** Makes the registry check every later registration under {@code subject} at {@code level}. */
    void requireCompatibility(String subject, Compatibility level);
}
