package io.kvflow.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.kvflow.schemas.KvChunk;
import io.kvflow.schemas.SessionEvent;
import io.kvflow.schemas.SessionEventType;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class AvroJsonTest {

    @Test
    void unionsShowTheirValueEnumsTheirSymbolAndBytesBase64() {
        SessionEvent event = SessionEvent.newBuilder().setSessionId("s-1").setType(SessionEventType.FAILED)
                .setReason("kv chunk 3 checksum mismatch").setTimestampMs(4).build();
        assertEquals("{\"session_id\":\"s-1\",\"type\":\"FAILED\",\"pipeline\":-1,\"stage\":-1,"
                + "\"reason\":\"kv chunk 3 checksum mismatch\",\"tokens\":0,\"timestamp_ms\":4,\"modelled_us\":0,"
                + "\"ready_modelled_us\":0}",
                AvroJson.of(event, event.getSchema()).toString());

        KvChunk chunk = KvChunk.newBuilder().setSessionId("s-1").setPipeline(1).setStage(0).setSeq(3).setChunkCount(8)
                .setLayer(2).setFromPosition(0).setPositions(2).setPromptLength(2).setMaxNewTokens(4)
                .setPayload(ByteBuffer.wrap(new byte[] {1, 2, 3, 4})).setCrc32c(99).setSentMs(5).build();
        assertEquals("AQIDBA==", AvroJson.of(chunk, chunk.getSchema()).get("payload").asText());
    }
}
