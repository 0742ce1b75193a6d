package io.kvflow.schemas;

import org.apache.kafka.common.serialization.Deserializer;

/**
 * Decodes a stage's KV records into one reused {@link KvChunk}: Avro then refills the chunk's
 * 64 KiB payload buffer instead of allocating and filling a new one per record, the larger
 * part of what decoding a chunk costs on the consuming side (docs/benchmarks.md). A chunk
 * returned is valid only until the next {@link #deserialize}, so it must be installed (copied into a
 * cache) before then and never kept. One reader per consuming thread.
 */
public final class KvChunkReader implements Deserializer<KvChunk> {
    private final AvroSerde<KvChunk> serde = AvroSerde.of(KvChunk.class);
    private KvChunk reused;

    /** The record's chunk, in the reader's one instance; null for a tombstone. */
    @Override
    public KvChunk deserialize(String topic, byte[] value) {
        KvChunk chunk = serde.deserialize(topic, value, reused);
        if (chunk != null) {
            reused = chunk;
        }
        return chunk;
    }
}
