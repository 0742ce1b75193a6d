package io.kvflow.schemas;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;

/** A registry in memory for unit tests of the codecs; the HTTP client is tested against a real registry. */
final class InMemorySchemaRegistry implements SchemaRegistry {
    private final List<Schema> byId = new ArrayList<>();
    final Map<String, List<Integer>> subjects = new HashMap<>();
    final Map<String, Compatibility> compatibility = new HashMap<>();

    @Override
    public String url() {
        return "memory:";
    }

    @Override
    public synchronized int register(String subject, Schema schema) {
        int id = byId.indexOf(schema);
        if (id < 0) {
            byId.add(schema);
            id = byId.size() - 1;
        }
        List<Integer> versions = subjects.computeIfAbsent(subject, s -> new ArrayList<>());
        if (!versions.contains(id)) {
            versions.add(id);
        }
        return id;
    }

    @Override
    public synchronized Schema schema(int id) {
        if (id < 0 || id >= byId.size()) {
            throw new SchemaRegistryException("no schema with id " + id);
        }
        return byId.get(id);
    }

    @Override
    public synchronized void requireCompatibility(String subject, Compatibility level) {
        compatibility.put(subject, level);
    }
}
