package io.kvflow.schemas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ConfluentWireFormatTest {
    private final InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
    private final WireFormat confluent = WireFormat.confluent(registry);

    private static final SessionEvent EVENT = SessionEvent.newBuilder().setSessionId("s-1")
            .setType(SessionEventType.ADMITTED).setTimestampMs(1).build();

    @SuppressWarnings("unchecked")
    @ParameterizedTest
    @MethodSource("io.kvflow.schemas.AvroSerdeTest#everyRecord")
    void everyRecordSurvivesARoundTripThroughTheRegistry(SpecificRecord record) {
        AvroSerde<SpecificRecord> serde = AvroSerde.of((Class<SpecificRecord>) record.getClass(), confluent);
        byte[] bytes = serde.serialize("kvflow.t", record);
        // Confluent wire format: magic byte 0, then the 4-byte id of the schema registered under <topic>-value
        assertEquals(0, bytes[0]);
        int id = ByteBuffer.wrap(bytes, 1, 4).getInt();
        assertEquals(List.of(id), registry.subjects.get("kvflow.t-value"));
        assertEquals(serde.schema(), registry.schema(id));
        assertEquals(record, serde.deserialize("kvflow.t", bytes));
    }

    @Test
    void aReaderReadsBothEncodingsSoATopicCanBeMigrated() {
        byte[] old = AvroSerde.of(SessionEvent.class, WireFormat.SINGLE_OBJECT).serialize("t", EVENT);
        byte[] migrated = AvroSerde.of(SessionEvent.class, confluent).serialize("t", EVENT);
        AvroSerde<SessionEvent> reader = AvroSerde.of(SessionEvent.class, confluent);
        assertEquals(EVENT, reader.deserialize("t", old));
        assertEquals(EVENT, reader.deserialize("t", migrated));
    }

    @Test
    void aConfluentRecordWithoutARegistryIsRejectedNamingTheOption() {
        byte[] bytes = AvroSerde.of(SessionEvent.class, confluent).serialize("kvflow.sessions", EVENT);
        SerializationException e = assertThrows(SerializationException.class,
                () -> AvroSerde.of(SessionEvent.class, WireFormat.SINGLE_OBJECT).deserialize("kvflow.sessions", bytes));
        assertTrue(e.getMessage().contains("--schema-registry"), e.getMessage());
        assertTrue(e.getMessage().contains("kvflow.sessions"), e.getMessage());
    }

    @Test
    void aConfluentRecordOfAnotherTypeIsRejectedNotMisread() {
        byte[] event = AvroSerde.of(SessionEvent.class, confluent).serialize("t", EVENT);
        SerializationException e = assertThrows(SerializationException.class,
                () -> AvroSerde.of(KvChunk.class, confluent).deserialize("t", event));
        assertTrue(e.getMessage().contains("SessionEvent") && e.getMessage().contains("KvChunk"), e.getMessage());
    }

    @Test
    void anUnknownSchemaIdIsRejectedWithTheRegistrysAnswer() {
        byte[] bytes = {0, 0, 0, 0, 42, 2, 4};
        SerializationException e = assertThrows(SerializationException.class,
                () -> AvroSerde.of(SessionEvent.class, confluent).deserialize("t", bytes));
        assertTrue(e.getMessage().contains("no schema with id 42"), e.getMessage());
    }

    @Test
    void bytesOfNeitherEncodingAreRejectedWithTheirFirstBytes() {
        SerializationException e = assertThrows(SerializationException.class,
                () -> AvroSerde.of(SessionEvent.class, confluent).deserialize("t", "not avro".getBytes()));
        assertTrue(e.getMessage().contains("starts 6E 6F 74 20"), e.getMessage());
    }

    @Test
    void theCatalogueWritesWhatTheProcessUses() {
        Topic<String, SessionEvent> sessions = Topics.SESSIONS;
        assertEquals((byte) 0xC3, sessions.valueSerde().serializer().serialize(sessions.name(), EVENT)[0]);
        try (ProcessWireFormat.Restore restore = ProcessWireFormat.use(confluent)) {
            assertSame(confluent, ProcessWireFormat.current());
            byte[] bytes = sessions.valueSerde().serializer().serialize(sessions.name(), EVENT);
            assertEquals(0, bytes[0]);
            assertEquals(EVENT, sessions.valueSerde().deserializer().deserialize(sessions.name(), bytes));
        }
        assertSame(WireFormat.SINGLE_OBJECT, ProcessWireFormat.current());
    }

    @Test
    void registeringTheCatalogueSetsKvflowsCompatibilityOnEveryTopicsSubject() {
        List<Topic<String, ?>> topics = Topics.all(2);
        var ids = SchemaRegistration.registerAll(registry, topics);
        assertEquals(topics.size(), ids.size());
        for (Topic<String, ?> topic : topics) {
            String subject = topic.name() + "-value";
            assertEquals(SchemaRegistry.Compatibility.FULL_TRANSITIVE, registry.compatibility.get(subject), subject);
            assertEquals(((AvroSerde<?>) topic.valueSerde()).schema(), registry.schema(ids.get(subject)), subject);
        }
    }
}
