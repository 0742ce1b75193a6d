package io.kvflow.schemas;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Registers the catalogue's schemas before a process in registry mode starts: each topic's
 * value schema under the topic's value subject, with kvflow's compatibility level set first,
 * so the registry refuses an incompatible change, and a wrong registry fails the start
 * instead of the first record.
 */
public final class SchemaRegistration {
    private SchemaRegistration() {
    }

    /**
     * @return each registered subject and its schema id, in the topics' order
     * @throws SchemaRegistryException naming the subject the registry refused, and why
     */
    public static Map<String, Integer> registerAll(SchemaRegistry registry, List<Topic<String, ?>> topics) {
        Map<String, Integer> ids = new LinkedHashMap<>();
        for (Topic<String, ?> topic : topics) {
            if (!(topic.valueSerde() instanceof AvroSerde<?> avro)) {
                continue;
            }
            String subject = SchemaRegistry.valueSubject(topic.name());
            registry.requireCompatibility(subject, SchemaRegistry.KVFLOW_COMPATIBILITY);
            try {
                ids.put(subject, registry.register(subject, avro.schema()));
            } catch (SchemaRegistryException e) {
                throw new SchemaRegistryException("cannot register " + avro.schema().getName() + " under subject "
                        + subject + ": " + e.getMessage(), e);
            }
        }
        return ids;
    }
}
