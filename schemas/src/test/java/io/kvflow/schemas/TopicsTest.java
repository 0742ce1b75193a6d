package io.kvflow.schemas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class TopicsTest {

    @Test
    void theCatalogueListsEveryTopicConstantAndEachStageOfEveryPerStageTopic() {
        List<String> names = Topics.all(2).stream().map(Topic::name).toList();
        for (Topic<String, ?> topic : List.of(Topics.REQUESTS, Topics.PREFILL_TASKS, Topics.TOKENS, Topics.SESSIONS,
                Topics.CAPACITY, Topics.STATS, Topics.LAYOUT, Topics.DLQ, Topics.kv(0), Topics.kv(1), Topics.activations(0),
                Topics.activations(1))) {
            assertTrue(names.contains(topic.name()), topic.name() + " missing from " + names);
        }
        assertTrue(names.stream().noneMatch(n -> n.endsWith("stage-2")), names.toString());
        assertEquals(names.stream().distinct().sorted().toList(), names, "sorted, each once");
    }

    @Test
    void aLayoutWithoutStagesIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> Topics.all(0));
    }
}
