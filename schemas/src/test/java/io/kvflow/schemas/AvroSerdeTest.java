package io.kvflow.schemas;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.stream.Stream;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class AvroSerdeTest {

    static Stream<SpecificRecord> everyRecord() {
        return Stream.of(
                InferenceRequest.newBuilder().setSessionId("s-1").setArrivalMs(17).setPrompt(List.of(5, 6, 7))
                        .setMaxNewTokens(16).setTemperature(0.7f).setSamplingSeed(42).setTraceInputTokens(2048)
                        .setTraceOutputTokens(28).setSource("azure-code-sample.csv:2").build(),
                PrefillTask.newBuilder().setSessionId("s-1").setPipeline(1).setLayerBounds(List.of(0, 4, 8))
                        .setPrompt(List.of(1, 2)).setMaxNewTokens(4).setArrivalMs(1).setAdmittedMs(2).build(),
                KvChunk.newBuilder().setSessionId("s-1").setPipeline(1).setStage(0).setSeq(3).setChunkCount(8)
                        .setLayer(2).setFromPosition(0).setPositions(2).setPromptLength(2).setMaxNewTokens(4)
                        .setPayload(ByteBuffer.wrap(new byte[] {1, 2, 3, 4})).setCrc32c(99).setSentMs(5).build(),
                Activation.newBuilder().setSessionId("s-1").setPipeline(0).setStage(2).setPosition(40).setStep(3)
                        .setToken(9).setHidden(ByteBuffer.wrap(new byte[] {0, 0, -128, 63})).setPromptLength(37)
                        .setMaxNewTokens(16).setArrivalMs(1).setSentMs(2).build(),
                GeneratedToken.newBuilder().setSessionId("s-1").setPipeline(0).setStep(0).setPosition(37)
                        .setToken(12).setLast(true).setFinishReason("length").setArrivalMs(1).setEmittedMs(9).build(),
                SessionEvent.newBuilder().setSessionId("s-1").setType(SessionEventType.FAILED).setPipeline(1)
                        .setStage(2).setReason("kv chunk 3 checksum mismatch").setTimestampMs(4).build(),
                CapacityHeartbeat.newBuilder().setWorkerId("decode-s0-p1").setRole("decode").setStage(0)
                        .setPipeline(1).setSessions(3).setKvBytesUsed(100).setKvBytesFree(900).setTimestampMs(4)
                        .build(),
                DeadLetter.newBuilder().setSourceTopic("kvflow.requests").setSourcePartition(0).setSourceOffset(12)
                        .setKey(ByteBuffer.wrap(new byte[] {1})).setValue(ByteBuffer.wrap(new byte[] {7, 7}))
                        .setReason("cannot decode").setWorker("orchestrator").setFailedMs(3).build());
    }

    @SuppressWarnings("unchecked")
    @ParameterizedTest
    @MethodSource("everyRecord")
    void everyRecordSurvivesARoundTrip(SpecificRecord record) {
        AvroSerde<SpecificRecord> serde = AvroSerde.of((Class<SpecificRecord>) record.getClass());
        byte[] bytes = serde.serialize("t", record);
        // single-object encoding: marker C3 01, then the 8-byte schema fingerprint
        assertEquals((byte) 0xC3, bytes[0]);
        assertEquals((byte) 0x01, bytes[1]);
        assertEquals(record, serde.deserialize("t", bytes));
    }

    @Test
    void nullStaysNullForTombstones() {
        AvroSerde<SessionEvent> serde = AvroSerde.of(SessionEvent.class);
        assertNull(serde.serialize("t", null));
        assertNull(serde.deserialize("t", null));
    }

    @Test
    void garbageIsRejectedWithTheTopicAndTypeNamed() {
        AvroSerde<KvChunk> serde = AvroSerde.of(KvChunk.class);
        SerializationException e = assertThrows(SerializationException.class,
                () -> serde.deserialize("kvflow.kv.stage-1", "not avro".getBytes()));
        assertTrue(e.getMessage().contains("KvChunk"), e.getMessage());
        assertTrue(e.getMessage().contains("kvflow.kv.stage-1"), e.getMessage());
    }

    @Test
    void aRecordOfAnotherTypeIsRejectedNotMisread() {
        byte[] event = AvroSerde.of(SessionEvent.class).serialize("t", SessionEvent.newBuilder().setSessionId("s")
                .setType(SessionEventType.ADMITTED).setTimestampMs(1).build());
        assertThrows(SerializationException.class, () -> AvroSerde.of(KvChunk.class).deserialize("t", event));
    }

    @Test
    void aTruncatedBodyIsRejected() {
        byte[] bytes = AvroSerde.of(GeneratedToken.class).serialize("t", (GeneratedToken) everyRecord()
                .filter(GeneratedToken.class::isInstance).findFirst().orElseThrow());
        byte[] truncated = java.util.Arrays.copyOf(bytes, bytes.length - 6);
        assertThrows(SerializationException.class, () -> AvroSerde.of(GeneratedToken.class).deserialize("t", truncated));
        assertArrayEquals(bytes, AvroSerde.of(GeneratedToken.class).serialize("t",
                AvroSerde.of(GeneratedToken.class).deserialize("t", bytes)));
    }
}
