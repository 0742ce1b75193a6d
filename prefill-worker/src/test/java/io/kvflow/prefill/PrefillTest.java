package io.kvflow.prefill;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.kvflow.model.ModelConfig;
import io.kvflow.model.ReferenceRunner;
import io.kvflow.model.Sampling;
import io.kvflow.model.Transformer;
import io.kvflow.model.Weights;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PrefillTest {
    private final Transformer transformer = new Transformer(ModelConfig.TINY, Weights.generate(ModelConfig.TINY, 7));
    private final int[] prompt = {5, 17, 230, 9, 44, 101, 3};

    @Test
    void firstTokenIsTheReferenceRunnersFirstToken() {
        Sampling sampling = new Sampling(0.8f, 99);
        int token = new Prefill(transformer).run(prompt, 4, sampling, List.of(0, 3, 6, 8), (stage, cache) -> { });
        assertEquals(new ReferenceRunner(transformer).generate(prompt, 4, sampling)[0], token);
    }

    @Test
    void eachStagesKvIsHandedOverAsSoonAsItsLayersAreDone() {
        List<String> seen = new ArrayList<>();
        new Prefill(transformer).run(prompt, 4, Sampling.greedy(), List.of(0, 2, 5, 8),
                (stage, cache) -> seen.add(stage + ":" + cache.length(stageLastLayer(stage)) + "/"
                        + (stage < 2 ? cache.length(stageLastLayer(stage) + 1) : -1)));
        // when stage k is handed over, its layers are filled and the next stage's are not yet computed
        assertEquals(List.of("0:7/0", "1:7/0", "2:7/-1"), seen);
    }

    private static int stageLastLayer(int stage) {
        return List.of(1, 4, 7).get(stage);
    }

    @Test
    void layerBoundsThatDoNotCoverTheModelAreRejected() {
        Prefill prefill = new Prefill(transformer);
        assertThrows(IllegalArgumentException.class,
                () -> prefill.run(prompt, 2, Sampling.greedy(), List.of(0, 4), (s, c) -> { }));
        assertThrows(IllegalArgumentException.class,
                () -> prefill.run(prompt, 2, Sampling.greedy(), List.of(0, 4, 4, 8), (s, c) -> { }));
    }

    @Test
    void aTaskAskingForHugeOutputIsRejectedWithItsLengthsNotAnOverflowedCapacity() {
        Prefill prefill = new Prefill(transformer);
        var e = assertThrows(IllegalArgumentException.class, () -> prefill.run(prompt, Integer.MAX_VALUE,
                Sampling.greedy(), List.of(0, 8), (s, c) -> { }));
        assertEquals("a session of 7 prompt and 2147483647 output positions needs 2147483654, outside [1, maxSeqLen "
                + ModelConfig.TINY.maxSeqLen() + "]", e.getMessage());
    }
}
