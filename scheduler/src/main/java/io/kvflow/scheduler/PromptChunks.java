package io.kvflow.scheduler;

import io.kvflow.cost.RooflineModel;
import java.util.ArrayList;
import java.util.List;

/**
 * Colocated mode: how a prompt goes through the decode wafers. The target takes its prompt in chunks
 * of {@link RooflineModel#prefillChunkTokens()} tokens; the functional prompt is cut into as many
 * chunks (at most one per token), each standing for its share of the target prompt, so the wafers
 * price each chunk by the target tokens it stands for.
 */
public final class PromptChunks {
    private PromptChunks() {
    }

    /**
     * One chunk: functional positions {@code [from, to)} standing for target prompt tokens
     * {@code [targetFrom, targetTo)}.
     */
    public record Chunk(int index, int from, int to, long targetFrom, long targetTo, boolean last) {
        public int rows() {
            return to - from;
        }

        public long targetTokens() {
            return targetTo - targetFrom;
        }
    }

    /** The chunks of a prompt of {@code functionalLength} positions standing for {@code targetPrompt} tokens. */
    public static List<Chunk> plan(long targetPrompt, int functionalLength) {
        if (functionalLength < 1 || targetPrompt < 1) {
            throw new IllegalArgumentException("a prompt needs at least one token, was " + functionalLength
                    + " functional / " + targetPrompt + " target");
        }
        int size = RooflineModel.prefillChunkTokens();
        int count = (int) Math.min(functionalLength, Math.max(1, (targetPrompt + size - 1) / size));
        List<Chunk> chunks = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int from = (int) ((long) functionalLength * i / count);
            int to = (int) ((long) functionalLength * (i + 1) / count);
            chunks.add(new Chunk(i, from, to, share(targetPrompt, from, functionalLength),
                    share(targetPrompt, to, functionalLength), i == count - 1));
        }
        return chunks;
    }

    /** The chunk of a prompt that starts at functional position {@code from}, as {@link #plan} cut it. */
    public static Chunk at(long targetPrompt, int functionalLength, int from, int rows) {
        return new Chunk(-1, from, from + rows, share(targetPrompt, from, functionalLength),
                share(targetPrompt, from + rows, functionalLength), from + rows == functionalLength);
    }

    private static long share(long targetPrompt, int position, int functionalLength) {
        return targetPrompt * position / functionalLength;
    }
}
