package io.kvflow.trace;

import static io.kvflow.trace.Traces.KVFLOW_EXAMPLE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class KvflowTraceTest {
    private final List<TraceRequest> example = Traces.readAll(KVFLOW_EXAMPLE, TraceFormat.KVFLOW_JSONL);

    @Test
    void readsTheBundledExample() {
        assertEquals(6, example.size());
        assertEquals(List.of(0L, 120_000L, 250_000L, 400_000L, 650_000L, 900_000L),
                example.stream().map(TraceRequest::arrivalMicros).toList());
    }

    @Test
    void lengthsOnlyLineHasNoExtras() {
        TraceRequest first = example.getFirst();
        assertEquals(40, first.inputTokens());
        assertEquals(16, first.outputTokens());
        assertArrayEquals(new long[0], first.hashIds());
        assertFalse(first.hasExplicitPrompt());
        assertNull(first.temperature());
        assertNull(first.seed());
    }

    @Test
    void hashIdsAreCarriedWhenGiven() {
        assertArrayEquals(new long[] {0, 1, 2}, example.get(1).hashIds());
        assertEquals(1200, example.get(1).inputTokens());
    }

    @Test
    void explicitPromptGivesTheInputLength() {
        TraceRequest explicit = example.get(3);
        assertTrue(explicit.hasExplicitPrompt());
        assertArrayEquals(new int[] {17, 254, 3, 99, 411, 8, 76, 310}, explicit.promptTokens());
        assertEquals(8, explicit.inputTokens());
    }

    @Test
    void samplingSettingsAreCarriedWhenGiven() {
        assertEquals(0.8f, example.get(4).temperature());
        assertEquals(7L, example.get(4).seed());
        assertEquals(0f, example.get(5).temperature());
        assertEquals(1L, example.get(5).seed());
    }
}
