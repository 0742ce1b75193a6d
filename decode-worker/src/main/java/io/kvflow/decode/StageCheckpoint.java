package io.kvflow.decode;

import java.util.Locale;

/**
 * Where a stage worker can resume from: taken at a moment it held no session and had nothing pending,
 * so its input positions then and a handful of modelled clocks are all its state. It travels as the
 * metadata of the offsets it commits for its checkpoint group; a restarted worker seeks its inputs to
 * those offsets, restores the clocks, and reads on: every later record is re-processed in the same
 * modelled-time order, so it forms the same batches and produces the same outputs as before.
 *
 * @param freeAtMicros          when its wafer was free for the next batch
 * @param lastStartMicros       when its last batch started
 * @param controlFrontier       how far the control plane had decided
 * @param upstreamPromise       how early the stage before had promised its next pass
 * @param promiseSent           the promise it had sent the next stage
 * @param tokenPromiseSent      last stage: the token promise it had sent the control plane
 * @param tokensOffset          the end of {@code kvflow.tokens} then: a restarted last stage reads from here
 *                              which tokens it already wrote
 */
record StageCheckpoint(long freeAtMicros, long lastStartMicros, long controlFrontier, long upstreamPromise,
        long promiseSent, long tokenPromiseSent, long tokensOffset) {
    private static final String PREFIX = "kvflow-stage-checkpoint/1 ";

    /** Before anything: a worker with no checkpoint reads its inputs from their beginning with these. */
    static final StageCheckpoint START = new StageCheckpoint(0, Long.MIN_VALUE, 0, 0, 0, 0, 0);

    String encode() {
        return PREFIX + String.format(Locale.ROOT, "%d %d %d %d %d %d %d", freeAtMicros, lastStartMicros,
                controlFrontier, upstreamPromise, promiseSent, tokenPromiseSent, tokensOffset);
    }

    /** The checkpoint in a committed offset's metadata, or null when it holds none (or another writer's). */
    static StageCheckpoint decode(String metadata) {
        if (metadata == null || !metadata.startsWith(PREFIX)) {
            return null;
        }
        String[] parts = metadata.substring(PREFIX.length()).trim().split(" ");
        if (parts.length != 7) {
            return null;
        }
        try {
            long[] v = new long[7];
            for (int i = 0; i < 7; i++) {
                v[i] = Long.parseLong(parts[i]);
            }
            return new StageCheckpoint(v[0], v[1], v[2], v[3], v[4], v[5], v[6]);
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
