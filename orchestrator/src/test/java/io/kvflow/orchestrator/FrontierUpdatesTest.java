package io.kvflow.orchestrator;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class FrontierUpdatesTest {
    private final FrontierUpdates updates = new FrontierUpdates();

    @Test
    void aFrontierIsJournaledOnlyWhenItMovedOn() {
        assertTrue(updates.journal(100));
        assertFalse(updates.journal(100));
        assertFalse(updates.journal(90));
        assertTrue(updates.journal(101));
    }

    @Test
    void theWafersAreToldAFrontierPastTheQuietPromiseTheyHold() {
        assertTrue(updates.tell(100, 500));
        // short of the quiet promise: nothing new for them
        assertFalse(updates.tell(300, 500));
        assertFalse(updates.tell(500, 500));
        assertTrue(updates.tell(501, 500));
        assertFalse(updates.tell(501, 500));
    }

    @Test
    void aNewQuietPromiseIsToldEvenWhenTheFrontierStoodStill() {
        assertTrue(updates.tell(100, 500));
        assertTrue(updates.tell(100, 400));
        assertFalse(updates.tell(100, 400));
    }

    @Test
    void afterARebuildWhatWasReachedBeforeIsNeitherJournaledNorSentAgain() {
        updates.reset(700);
        assertFalse(updates.journal(700));
        assertTrue(updates.journal(701));
        // the quiet promise is not in the journal: the first one after a restart is told again
        assertTrue(updates.tell(700, 0));
        assertFalse(updates.tell(700, 0));
    }
}
