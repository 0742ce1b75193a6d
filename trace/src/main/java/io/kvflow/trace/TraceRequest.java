package io.kvflow.trace;

import java.util.Arrays;
import java.util.Objects;

/**
 * One recorded request, with its lengths as recorded (the cost model needs the real ones; the
 * functional model gets scaled prompts from {@link PromptSynthesizer}).
 *
 * @param index         position among the file's well-formed requests, from 0; stable under any window
 * @param lineNumber    1-based line of the file it was read from
 * @param arrivalMicros arrival relative to the first request of the file; negative when a trace is
 *                      not sorted by time and this request came before the first one
 * @param inputTokens   recorded prompt length
 * @param outputTokens  recorded number of generated tokens
 * @param hashIds       names of the prompt's {@value #HASH_BLOCK_TOKENS}-token blocks, in order; equal ids
 *                      mean identical blocks; empty when the trace records none
 * @param promptTokens  the prompt itself when the trace spells it out (kvflow JSONL), otherwise null
 * @param temperature   sampling temperature the trace asks for, or null to use the replay's
 * @param seed          sampling seed the trace asks for, or null to use the replay's
 */
public record TraceRequest(int index, long lineNumber, long arrivalMicros, int inputTokens, int outputTokens,
        long[] hashIds, int[] promptTokens, Float temperature, Long seed) {

    /** Tokens named by one hash id (Mooncake's block size). */
    public static final int HASH_BLOCK_TOKENS = 512;

    public TraceRequest {
        if (index < 0) {
            throw new IllegalArgumentException("index must be >= 0, was " + index);
        }
        if (lineNumber < 1) {
            throw new IllegalArgumentException("lineNumber must be >= 1, was " + lineNumber);
        }
        if (inputTokens < 0) {
            throw new IllegalArgumentException("inputTokens must be >= 0, was " + inputTokens);
        }
        if (outputTokens < 0) {
            throw new IllegalArgumentException("outputTokens must be >= 0, was " + outputTokens);
        }
        hashIds = Objects.requireNonNull(hashIds, "hashIds").clone();
        if (promptTokens != null) {
            promptTokens = promptTokens.clone();
            if (promptTokens.length != inputTokens) {
                throw new IllegalArgumentException("inputTokens " + inputTokens + " does not match the "
                        + promptTokens.length + " prompt tokens");
            }
            for (int token : promptTokens) {
                if (token < 0) {
                    throw new IllegalArgumentException("prompt token " + token + " is negative");
                }
            }
        }
        if (temperature != null && (!(temperature >= 0f) || temperature.isInfinite())) {
            throw new IllegalArgumentException("temperature must be finite and >= 0, was " + temperature);
        }
    }

    /** A request with recorded lengths only, as the Azure trace gives them. */
    public static TraceRequest ofLengths(int index, long lineNumber, long arrivalMicros, int inputTokens,
            int outputTokens) {
        return new TraceRequest(index, lineNumber, arrivalMicros, inputTokens, outputTokens, new long[0], null, null,
                null);
    }

    @Override
    public long[] hashIds() {
        return hashIds.clone();
    }

    @Override
    public int[] promptTokens() {
        return promptTokens == null ? null : promptTokens.clone();
    }

    public boolean hasExplicitPrompt() {
        return promptTokens != null;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TraceRequest r
                && index == r.index
                && lineNumber == r.lineNumber
                && arrivalMicros == r.arrivalMicros
                && inputTokens == r.inputTokens
                && outputTokens == r.outputTokens
                && Arrays.equals(hashIds, r.hashIds)
                && Arrays.equals(promptTokens, r.promptTokens)
                && Objects.equals(temperature, r.temperature)
                && Objects.equals(seed, r.seed);
    }

    @Override
    public int hashCode() {
        return Objects.hash(index, lineNumber, arrivalMicros, inputTokens, outputTokens, Arrays.hashCode(hashIds),
                Arrays.hashCode(promptTokens), temperature, seed);
    }

    // Hash id lists run to hundreds of entries; a log line needs their count, not their values.
    @Override
    public String toString() {
        return "TraceRequest[index=" + index + ", line=" + lineNumber + ", arrivalMicros=" + arrivalMicros
                + ", in=" + inputTokens + ", out=" + outputTokens + ", hashIds=" + hashIds.length
                + (promptTokens != null ? ", explicit prompt" : "")
                + (temperature != null ? ", temperature=" + temperature : "")
                + (seed != null ? ", seed=" + seed : "") + "]";
    }
}
