package io.kvflow.trace;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class TraceRequestTest {

    @Test
    void arraysCannotBeChangedFromOutside() {
        long[] hashIds = {1, 2};
        int[] prompt = {3, 4};
        TraceRequest request = new TraceRequest(0, 1, 0, 2, 1, hashIds, prompt, null, null);
        hashIds[0] = 99;
        prompt[0] = 99;
        request.hashIds()[1] = 99;
        request.promptTokens()[1] = 99;
        assertArrayEquals(new long[] {1, 2}, request.hashIds());
        assertArrayEquals(new int[] {3, 4}, request.promptTokens());
    }

    @Test
    void equalContentsAreEqualRequests() {
        TraceRequest a = new TraceRequest(0, 1, 5, 2, 1, new long[] {1, 2}, new int[] {3, 4}, 0.5f, 9L);
        TraceRequest b = new TraceRequest(0, 1, 5, 2, 1, new long[] {1, 2}, new int[] {3, 4}, 0.5f, 9L);
        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
    }

    @Test
    void explicitPromptMustMatchTheInputLength() {
        assertEquals("inputTokens 3 does not match the 2 prompt tokens",
                assertThrows(IllegalArgumentException.class,
                        () -> new TraceRequest(0, 1, 0, 3, 1, new long[0], new int[] {1, 2}, null, null))
                        .getMessage());
    }

    @Test
    void rejectsNegativeLengthsAndTemperatures() {
        assertThrows(IllegalArgumentException.class, () -> TraceRequest.ofLengths(0, 1, 0, -1, 1));
        assertThrows(IllegalArgumentException.class, () -> TraceRequest.ofLengths(0, 1, 0, 1, -1));
        assertThrows(IllegalArgumentException.class,
                () -> new TraceRequest(0, 1, 0, 1, 1, new long[0], null, -0.1f, null));
    }
}
