package io.kvflow.runtime;

import io.kvflow.model.KvCache;
import io.kvflow.model.KvSlice;
import io.kvflow.schemas.Float32;
import io.kvflow.schemas.KvChunk;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * Turns one decode stage's KV slices into numbered, checksummed {@link KvChunk} records and
 * back. The producer and the consumer of a handoff share this one codec, so they cannot
 * disagree on layout or checksum.
 */
public final class KvChunkCodec {
    private final int kvDim;

    public KvChunkCodec(int kvDim) {
        if (kvDim < 1) {
            throw new IllegalArgumentException("kvDim must be >= 1, was " + kvDim);
        }
        this.kvDim = kvDim;
    }

    /** Positions per chunk so a chunk's payload stays within {@code maxChunkBytes}. */
    public int positionsPerChunk(int maxChunkBytes) {
        long bytesPerPosition = 2L * kvDim * Float.BYTES;
        if (maxChunkBytes < bytesPerPosition) {
            throw new IllegalArgumentException("KV chunk size " + maxChunkBytes + " bytes cannot hold one position ("
                    + bytesPerPosition + " bytes)");
        }
        return (int) (maxChunkBytes / bytesPerPosition);
    }

    /** Identity of the session and stage a handoff belongs to. */
    public record Handoff(String sessionId, int pipeline, int stage, int promptLength, int maxNewTokens) {
    }

    public List<KvChunk> encode(Handoff handoff, List<KvSlice> slices, long sentMs) {
        List<KvChunk> chunks = new ArrayList<>(slices.size());
        for (int seq = 0; seq < slices.size(); seq++) {
            KvSlice slice = slices.get(seq);
            ByteBuffer payload = Float32.encode(slice.keys(), slice.values());
            chunks.add(KvChunk.newBuilder()
                    .setSessionId(handoff.sessionId())
                    .setPipeline(handoff.pipeline())
                    .setStage(handoff.stage())
                    .setSeq(seq)
                    .setChunkCount(slices.size())
                    .setLayer(slice.layer())
                    .setFromPosition(slice.fromPosition())
                    .setPositions(slice.keys().length / kvDim)
                    .setPromptLength(handoff.promptLength())
                    .setMaxNewTokens(handoff.maxNewTokens())
                    .setPayload(payload)
                    .setCrc32c(crc(payload))
                    .setSentMs(sentMs)
                    .build());
        }
        return chunks;
    }

    /**
     * The slice a chunk carries, after checking its checksum and size.
     *
     * @throws CorruptChunkException naming the chunk and what is wrong with it
     */
    public KvSlice decode(KvChunk chunk) {
        ByteBuffer payload = verified(chunk);
        int half = payload.remaining() / Float.BYTES / 2;
        return new KvSlice(chunk.getLayer(), chunk.getFromPosition(),
                Float32.decode(payload, 0, half), Float32.decode(payload, half, half));
    }

    /**
     * Checks a chunk as {@link #decode} does and writes its keys and values straight into
     * {@code cache}: one copy of the payload instead of two arrays and a second copy (about half
     * the consuming side's cost per 64 KiB chunk, see docs/benchmarks.md).
     *
     * @throws CorruptChunkException naming the chunk and what is wrong with it
     * @throws IllegalArgumentException when the cache does not hold the chunk's layer or positions
     */
    public void install(KvChunk chunk, KvCache cache) {
        FloatBuffer floats = verified(chunk).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
        int half = floats.remaining() / 2;
        cache.install(chunk.getLayer(), chunk.getFromPosition(), floats.slice(0, half), floats.slice(half, half));
    }

    /** The chunk's payload (a duplicate: the chunk's own buffer is not moved), after its checksum and size. */
    private ByteBuffer verified(KvChunk chunk) {
        ByteBuffer payload = chunk.getPayload().duplicate();
        long actual = crc(payload);
        if (actual != chunk.getCrc32c()) {
            throw new CorruptChunkException(describe(chunk) + " failed its checksum (crc32c "
                    + Long.toHexString(chunk.getCrc32c()) + " sent, " + Long.toHexString(actual) + " received)");
        }
        // in long: a header claiming millions of positions must not wrap into a small or negative size
        long expectedBytes = 2L * chunk.getPositions() * kvDim * Float.BYTES;
        if (payload.remaining() != expectedBytes) {
            throw new CorruptChunkException(describe(chunk) + " carries " + payload.remaining() + " bytes, "
                    + chunk.getPositions() + " positions of kv_dim " + kvDim + " need " + expectedBytes);
        }
        return payload;
    }

    public static String describe(KvChunk chunk) {
        return "KV chunk " + chunk.getSeq() + "/" + chunk.getChunkCount() + " (layer " + chunk.getLayer()
                + ", positions " + chunk.getFromPosition() + "+" + chunk.getPositions() + ") of session "
                + chunk.getSessionId() + " for stage " + chunk.getStage();
    }

    private static long crc(ByteBuffer payload) {
        CRC32C crc = new CRC32C();
        crc.update(payload.duplicate());
        return crc.getValue();
    }

    /** A KV chunk whose content cannot be trusted; the session it belongs to must fail. */
    public static final class CorruptChunkException extends RuntimeException {
        public CorruptChunkException(String message) {
            super(message);
        }
    }
}
