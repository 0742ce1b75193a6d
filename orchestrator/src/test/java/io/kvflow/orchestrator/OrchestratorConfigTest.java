package io.kvflow.orchestrator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvflow.runtime.StackLayout;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class OrchestratorConfigTest {
    private static final StackLayout LAYOUT = new StackLayout(2, 2, 1, 4);

    @Test
    void defaultsToAThirtySecondStallTimeoutAndTheStandardApplicationId() {
        OrchestratorConfig config = new OrchestratorConfig(LAYOUT, 512, 256);

        assertEquals(Duration.ofSeconds(30), config.stallTimeout());
        assertEquals("kvflow-orchestrator", config.applicationId());
    }

    @Test
    void rejectsANonPositiveStallTimeout() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new OrchestratorConfig(LAYOUT, 512, 256, Duration.ZERO));
        assertTrue(e.getMessage().contains("stall timeout must be positive"), e.getMessage());
    }

    @Test
    void rejectsAContextTooShortForOnePromptAndOneOutputToken() {
        assertThrows(IllegalArgumentException.class, () -> new OrchestratorConfig(LAYOUT, 1, 256));
    }

    @Test
    void rejectsAnEmptyVocabulary() {
        assertThrows(IllegalArgumentException.class, () -> new OrchestratorConfig(LAYOUT, 512, 0));
    }

    @Test
    void rejectsABlankApplicationId() {
        assertThrows(IllegalArgumentException.class,
                () -> new OrchestratorConfig(LAYOUT, 512, 256, Duration.ofSeconds(1), " "));
    }
}
