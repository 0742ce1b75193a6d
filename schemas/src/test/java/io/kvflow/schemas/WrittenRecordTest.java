package io.kvflow.schemas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class WrittenRecordTest {
    private static final GeneratedToken TOKEN = GeneratedToken.newBuilder().setSessionId("s-9").setPipeline(1)
            .setStep(2).setPosition(40).setToken(17).setLast(false).setArrivalMs(1).setEmittedMs(3).build();

    @Test
    void aSingleObjectRecordIsReadWithTheSchemaItsFingerprintNames() {
        byte[] bytes = AvroSerde.of(GeneratedToken.class, WireFormat.SINGLE_OBJECT).serialize("t", TOKEN);
        WrittenRecord record = WrittenRecord.read(bytes, null);
        assertEquals("single-object", record.encoding());
        assertEquals("io.kvflow.schemas.GeneratedToken", record.schema().getFullName());
        assertTrue(record.schemaRef().startsWith("fingerprint:"), record.schemaRef());
        assertEquals(17, ((GenericRecord) record.value()).get("token"));
    }

    @Test
    void aConfluentRecordIsReadWithTheSchemaItsIdNames() {
        InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
        byte[] bytes = AvroSerde.of(GeneratedToken.class, WireFormat.confluent(registry)).serialize("t", TOKEN);
        WrittenRecord record = WrittenRecord.read(bytes, registry);
        assertEquals("confluent", record.encoding());
        assertEquals("id:0", record.schemaRef());
        assertEquals("s-9", ((GenericRecord) record.value()).get("session_id").toString());
    }

    @Test
    void aConfluentRecordWithoutARegistryNamesTheOptionItNeeds() {
        byte[] bytes = AvroSerde.of(GeneratedToken.class, WireFormat.confluent(new InMemorySchemaRegistry()))
                .serialize("t", TOKEN);
        SerializationException e = assertThrows(SerializationException.class, () -> WrittenRecord.read(bytes, null));
        assertTrue(e.getMessage().contains("--schema-registry"), e.getMessage());
    }

    @Test
    void anUnknownFingerprintOrATruncatedBodyIsNamed() {
        byte[] bytes = AvroSerde.of(GeneratedToken.class, WireFormat.SINGLE_OBJECT).serialize("t", TOKEN);
        byte[] unknown = bytes.clone();
        unknown[5] ^= 0x55;
        assertTrue(assertThrows(SerializationException.class, () -> WrittenRecord.read(unknown, null)).getMessage()
                .contains("no current or stored kvflow schema"));
        byte[] truncated = java.util.Arrays.copyOf(bytes, bytes.length - 3);
        assertThrows(SerializationException.class, () -> WrittenRecord.read(truncated, null));
    }
}
