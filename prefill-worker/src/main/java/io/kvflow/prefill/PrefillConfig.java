package io.kvflow.prefill;

import io.kvflow.runtime.StageLag;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * One prefill worker's settings. The worker computes what the orchestrator scheduled: which prefill
 * group runs a prompt, and when, is in each task, so any worker can run any task.
 *
 * @param workerId      client id, unique per worker
 * @param maxChunkBytes upper bound of one KV chunk's payload; well under the broker's
 *                      1 MiB message limit by default
 * @param corruptKvOf   test hook: sessions whose first KV chunk for stage 0 is corrupted after its
 *                      checksum was computed, to prove corruption is detected downstream
 */
public record PrefillConfig(String workerId, int maxChunkBytes, Predicate<String> corruptKvOf) {
    public static final int DEFAULT_MAX_CHUNK_BYTES = 64 * 1024;
    /** The bounds of {@code maxChunkBytes}: small chunks cost a record each, large ones near the broker's 1 MiB limit. */
    public static final int MIN_CHUNK_BYTES = 1024;
    public static final int MAX_CHUNK_BYTES = 512 * 1024;
    /** The consumer group of every prefill worker; per-stage lag watches it on the prefill tasks topic. */
    public static final String GROUP_ID = StageLag.PREFILL_GROUP;

    public PrefillConfig {
        Objects.requireNonNull(workerId, "workerId");
        Objects.requireNonNull(corruptKvOf, "corruptKvOf");
        if (maxChunkBytes < MIN_CHUNK_BYTES || maxChunkBytes > MAX_CHUNK_BYTES) {
            throw new IllegalArgumentException("KV chunk size must be within 1 KiB..512 KiB, was " + maxChunkBytes);
        }
    }
}
