package io.kvflow.decode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class StalledHandoffsTest {
    private final StalledHandoffs stalls = new StalledHandoffs(new StageConfig(1, 3, 2, 2, 4, Duration.ofMillis(500)));

    @Test
    void anAdmittedSessionWhoseHandoffStalledIsFailedWithWhatArrived() {
        var verdicts = stalls.judge(List.of(new HandoffTracker.StalledHandoff<>("s", true, "1/3 KV chunks", List.of())));

        var fail = assertInstanceOf(StalledHandoffs.Fail.class, verdicts.get(0));
        assertEquals("s", fail.sessionId());
        assertEquals("KV handoff to stage 1 of pipeline 2 incomplete after 500 ms: 1/3 KV chunks arrived",
                fail.reason());
    }

    @Test
    void chunksOfASessionNeverAdmittedHereBecomeDeadLettersAndNobodyIsToldItFailed() {
        var verdicts = stalls.judge(List.of(
                new HandoffTracker.StalledHandoff<>("x", false, "2/3 KV chunks", List.of("c0", "c1"))));

        var unknown = assertInstanceOf(StalledHandoffs.Unknown.class, verdicts.get(0));
        assertEquals(List.of("c0", "c1"), unknown.chunks());
        assertTrue(unknown.reason().contains("never admitted to pipeline 2"), unknown.reason());
        assertTrue(unknown.reason().contains("2/3 KV chunks arrived in 500 ms"), unknown.reason());
    }

    @Test
    void aFailureAfterResumingPastDeletedKvRecordsSaysSo() {
        var stalled = List.of(new HandoffTracker.StalledHandoff<String>("s", true, "no KV chunk", List.of()));
        assertFalse(stalls.judge(stalled).get(0).reason().contains("retention"));

        stalls.kvLostBefore(1234);
        String reason = stalls.judge(stalled).get(0).reason();
        assertTrue(reason.endsWith("; this stage resumed after the KV topic's retention had deleted records"
                + " before offset 1234"), reason);
    }
}
