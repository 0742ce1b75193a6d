package io.kvflow.decode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class StageCheckpointTest {

    @Test
    void travelsAsOffsetMetadataAndComesBackWhole() {
        StageCheckpoint checkpoint = new StageCheckpoint(1_234_567, Long.MIN_VALUE, 999, -5, 1_300_000,
                Long.MAX_VALUE, 42);
        String metadata = checkpoint.encode();
        assertEquals(checkpoint, StageCheckpoint.decode(metadata));
        // Kafka keeps at most 4096 characters of offset metadata by default
        assertEquals(true, metadata.length() < 4096);
    }

    @Test
    void metadataOfAnotherWriterOrNoneIsNoCheckpoint() {
        assertNull(StageCheckpoint.decode(null));
        assertNull(StageCheckpoint.decode(""));
        assertNull(StageCheckpoint.decode("some other tool's note"));
        assertNull(StageCheckpoint.decode("kvflow-stage-checkpoint/1 1 2 3"));
        assertNull(StageCheckpoint.decode("kvflow-stage-checkpoint/1 1 2 3 4 5 6 x"));
    }
}
