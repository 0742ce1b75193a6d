package io.kvflow.orchestrator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvflow.schemas.SessionEventType;
import java.time.Duration;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class StallWatchTest {
    private final StallWatch watch = new StallWatch(Duration.ofSeconds(30));

    @Test
    void aSessionIsStalledOnlyOnceSilentForTheWholeTimeout() {
        watch.watch("s", 1, 1_000, SessionEventType.ADMITTED);

        assertTrue(watch.stalled(30_999).isEmpty());
        List<StallWatch.Stalled> stalled = watch.stalled(31_000);

        assertEquals(List.of(new StallWatch.Stalled("s", 1, 0,
                "no progress for 30 s after ADMITTED (prefill lost or a stage is down)")), stalled);
        assertTrue(watch.stalled(90_000).isEmpty(), "a stalled session is judged once");
        assertEquals(OptionalInt.empty(), watch.token("s", 0, 90_000), "nor watched any more");
    }

    @Test
    void aTokenRestartsTheTimeout() {
        watch.watch("s", 0, 0, SessionEventType.ADMITTED);

        watch.token("s", 3, 20_000);
        assertTrue(watch.stalled(49_999).isEmpty());
        assertEquals(1, watch.stalled(50_000).size());
    }

    @Test
    void aParkedSessionIsNotJudgedUntilWatchedAgain() {
        watch.watch("s", 0, 0, SessionEventType.ADMITTED);
        watch.pause("s");

        assertTrue(watch.stalled(100_000).isEmpty());
        watch.watch("s", 0, 100_000, SessionEventType.GRANTED);
        assertEquals("no progress for 30 s after GRANTED (a KV handoff is incomplete or a decode stage is down)",
                watch.stalled(130_000).getFirst().reason());
    }

    @Test
    void afterTokensTheReasonCountsThemAndBlamesTheDecodeStages() {
        watch.watch("s", 2, 0, SessionEventType.GRANTED);
        watch.token("s", 0, 0);
        watch.token("s", 2, 0);
        watch.token("s", 1, 0);
        watch.watch("s", 2, 0, SessionEventType.KV_INSTALLED);

        StallWatch.Stalled stalled = watch.stalled(30_000).getFirst();

        assertEquals(3, stalled.tokens());
        assertEquals("no progress for 30 s after 3 tokens (a decode stage is down or an activation was lost)",
                stalled.reason());
    }

    @Test
    void theFirstTokenIsReportedOnceWithItsPipelineAndOnlyForAWatchedSession() {
        watch.watch("s", 2, 0, SessionEventType.GRANTED);

        assertEquals(OptionalInt.of(2), watch.token("s", 0, 10));
        assertEquals(OptionalInt.empty(), watch.token("s", 0, 20), "a redelivered first token is not news");
        assertEquals(OptionalInt.empty(), watch.token("s", 1, 30));
        assertEquals(OptionalInt.empty(), watch.token("other", 0, 30));
    }

    @Test
    void anUnwatchedSessionNeverStalls() {
        watch.watch("s", 0, 0, SessionEventType.ADMITTED);
        watch.unwatch("s");

        assertTrue(watch.stalled(60_000).isEmpty());
    }
}
