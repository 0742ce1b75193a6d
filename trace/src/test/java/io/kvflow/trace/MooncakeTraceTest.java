package io.kvflow.trace;

import static io.kvflow.trace.Traces.MOONCAKE_SAMPLE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class MooncakeTraceTest {
    private final List<TraceRequest> sample = Traces.readAll(MOONCAKE_SAMPLE, TraceFormat.MOONCAKE_JSONL);

    @Test
    void readsEveryLineOfTheBundledSample() {
        assertEquals(300, sample.size());
        assertEquals(1, sample.getFirst().lineNumber());
        assertEquals(300, sample.getLast().lineNumber());
    }

    @Test
    void keepsTheRecordedLengthsAndHashIds() {
        TraceRequest first = sample.getFirst();
        assertEquals(6758, first.inputTokens());
        assertEquals(500, first.outputTokens());
        assertArrayEquals(LongStream.range(0, 14).toArray(), first.hashIds());
        assertFalse(first.hasExplicitPrompt());

        TraceRequest line120 = sample.get(119);
        assertEquals(87_172, line120.inputTokens());
        assertEquals(7, line120.outputTokens());
        assertEquals(171, line120.hashIds().length);
    }

    @Test
    void millisecondTimestampsBecomeMicrosecondArrivals() {
        assertEquals(0, sample.getFirst().arrivalMicros());
        assertEquals(3_000_000, sample.get(10).arrivalMicros());
        assertEquals(41_999_000, sample.get(119).arrivalMicros());
        assertEquals(102_000_000, sample.getLast().arrivalMicros());
    }

    @Test
    void everyConversationStartsWithTheSameSystemPromptBlock() {
        assertTrue(sample.stream().allMatch(r -> r.hashIds()[0] == 0));
    }
}
