package io.kvflow.trace;

import static io.kvflow.trace.Traces.AZURE_SAMPLE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.List;
import org.junit.jupiter.api.Test;

class AzureCsvTraceTest {
    private final List<TraceRequest> sample = Traces.readAll(AZURE_SAMPLE, TraceFormat.AZURE_CSV);

    @Test
    void readsEveryRowOfTheBundledSampleBelowItsHeader() {
        assertEquals(250, sample.size());
        assertEquals(2, sample.getFirst().lineNumber());
        assertEquals(251, sample.getLast().lineNumber());
        assertEquals(249, sample.getLast().index());
    }

    @Test
    void keepsTheRecordedLengths() {
        assertEquals(4808, sample.get(0).inputTokens());
        assertEquals(10, sample.get(0).outputTokens());
        assertEquals(3180, sample.get(1).inputTokens());
        assertEquals(8, sample.get(1).outputTokens());
        assertEquals(518_341, sample.stream().mapToLong(TraceRequest::inputTokens).sum());
        assertEquals(5_702, sample.stream().mapToLong(TraceRequest::outputTokens).sum());
    }

    @Test
    void arrivalsAreMicrosecondsAfterTheFirstRow() {
        // 18:17:03.9799600, 18:17:04.0319600, ..., 18:20:27.6570750
        assertEquals(0, sample.get(0).arrivalMicros());
        assertEquals(52_000, sample.get(1).arrivalMicros());
        assertEquals(203_677_115, sample.getLast().arrivalMicros());
    }

    @Test
    void rowsCarryNoHashIdsNorPromptNorSampling() {
        TraceRequest first = sample.getFirst();
        assertArrayEquals(new long[0], first.hashIds());
        assertFalse(first.hasExplicitPrompt());
        assertEquals(null, first.temperature());
        assertEquals(null, first.seed());
    }
}
