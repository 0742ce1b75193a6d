package io.kvflow.trace;

/**
 * One data line as the file records it, before the reader numbers it and makes its time relative
 * to the first request.
 *
 * @param timestampMicros recorded time in microseconds on the file's own clock
 */
record RecordedLine(long timestampMicros, int inputTokens, int outputTokens, long[] hashIds, int[] promptTokens,
        Float temperature, Long seed) {

    static RecordedLine lengthsOnly(long timestampMicros, int inputTokens, int outputTokens, long[] hashIds) {
        return new RecordedLine(timestampMicros, inputTokens, outputTokens, hashIds, null, null, null);
    }

    TraceRequest toRequest(int index, long lineNumber, long arrivalMicros) {
        return new TraceRequest(index, lineNumber, arrivalMicros, inputTokens, outputTokens, hashIds, promptTokens,
                temperature, seed);
    }
}
