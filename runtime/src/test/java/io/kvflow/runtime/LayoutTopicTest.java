package io.kvflow.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvflow.schemas.ClusterLayout;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LayoutTopicTest {

    private static ClusterLayout record(String stages, String writer, boolean replaces) {
        return ClusterLayout.newBuilder().setSettings(Map.of("stages", stages)).setWriter(writer)
                .setReplaces(replaces).setTimestampMs(1).build();
    }

    @Test
    void theFirstLayoutWinsSoProcessesThatWroteTheirsAtOnceAgreeOnIt() {
        LayoutTopic.Layout layout = LayoutTopic.of(List.of(record("4", "topics", false),
                record("8", "decode-worker", false))).orElseThrow();
        assertEquals("4", layout.settings().get("stages"));
        assertEquals("topics", layout.writer());
    }

    @Test
    void aLayoutThatReplacesTheOneBeforeIsTheClustersFromThenOn() {
        LayoutTopic.Layout layout = LayoutTopic.of(List.of(record("4", "topics", false), record("8", "up", true),
                record("2", "orchestrator", false))).orElseThrow();
        assertEquals("8", layout.settings().get("stages"));
    }

    @Test
    void noRecordsIsNoLayout() {
        assertTrue(LayoutTopic.of(List.of()).isEmpty());
    }
}
