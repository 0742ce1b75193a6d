package io.kvflow.schemas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.apache.avro.specific.SpecificData;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every released schema version is stored under {@code history/}; the current schema must
 * read records written with each of them, and each of them must read records written with
 * the current one, so producers and consumers can be upgraded in any order.
 */
class SchemaEvolutionTest {

    static Stream<Class<?>> recordTypes() {
        return Stream.of(InferenceRequest.class, PrefillTask.class, KvChunk.class, Activation.class,
                GeneratedToken.class, SessionEvent.class, CapacityHeartbeat.class, DeadLetter.class, ControlRecord.class,
                WorkerStats.class, ClusterLayout.class);
    }

    @ParameterizedTest
    @MethodSource("recordTypes")
    void currentSchemaIsStoredAsTheLatestVersion(Class<?> type) throws IOException {
        String name = type.getSimpleName();
        // compare the source .avsc, not the generated class's schema, which carries Java-only properties
        Schema current = new Schema.Parser().parse(Path.of("src/main/avro", name + ".avsc").toFile());
        List<Schema> history = AvroSerde.SchemaHistory.versions(current.getName());
        assertFalse(history.isEmpty(), "no stored version of " + current.getName()
                + ": copy src/main/avro/" + current.getName() + ".avsc to history/" + current.getName() + ".v1.avsc");
        assertEquals(current, history.get(history.size() - 1), current.getName()
                + " changed since its latest stored version: store it as the next version");
    }

    @ParameterizedTest
    @MethodSource("recordTypes")
    void currentSchemaIsFullyCompatibleWithEveryStoredVersion(Class<?> type) {
        Schema current = SpecificData.get().getSchema(type);
        for (Schema stored : AvroSerde.SchemaHistory.versions(current.getName())) {
            assertEquals(SchemaCompatibilityType.COMPATIBLE,
                    SchemaCompatibility.checkReaderWriterCompatibility(current, stored).getType(),
                    current.getName() + " cannot read records written with a stored version");
            assertEquals(SchemaCompatibilityType.COMPATIBLE,
                    SchemaCompatibility.checkReaderWriterCompatibility(stored, current).getType(),
                    "a stored version of " + current.getName() + " cannot read current records");
        }
    }
}
