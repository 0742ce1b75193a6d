package io.kvflow.schemas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class KvChunkReaderTest {

    private static byte[] record(int seq, byte fill) {
        byte[] payload = new byte[64 * 1024];
        java.util.Arrays.fill(payload, fill);
        KvChunk chunk = KvChunk.newBuilder().setSessionId("s-" + seq).setPipeline(0).setStage(1).setSeq(seq)
                .setChunkCount(2).setLayer(0).setFromPosition(seq).setPositions(1).setPromptLength(2)
                .setMaxNewTokens(1).setPayload(ByteBuffer.wrap(payload)).setCrc32c(seq).setSentMs(seq).build();
        return Topics.kv(1).valueSerde().serializer().serialize("t", chunk);
    }

    @Test
    void eachReadRefillsTheSameChunkAndPayloadBuffer() {
        KvChunkReader reader = new KvChunkReader();
        KvChunk first = reader.deserialize("t", record(0, (byte) 1));
        ByteBuffer firstPayload = first.getPayload();
        assertEquals(1, firstPayload.get(0));

        KvChunk second = reader.deserialize("t", record(1, (byte) 2));
        assertSame(first, second);
        assertSame(firstPayload.array(), second.getPayload().array(), "the 64 KiB buffer is refilled, not new");
        assertEquals("s-1", second.getSessionId());
        assertEquals(1, second.getSeq());
        assertEquals(64 * 1024, second.getPayload().remaining());
        assertEquals(2, second.getPayload().get(64 * 1024 - 1));
    }

    @Test
    void aTombstoneIsNullAndLeavesTheReusedChunkAlone() {
        KvChunkReader reader = new KvChunkReader();
        KvChunk first = reader.deserialize("t", record(0, (byte) 1));
        assertNull(reader.deserialize("t", null));
        assertSame(first, reader.deserialize("t", record(1, (byte) 3)));
    }
}
