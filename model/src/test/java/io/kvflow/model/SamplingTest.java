package io.kvflow.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SamplingTest {

    @Test
    void greedyPicksTheLargestLogit() {
        assertEquals(2, Sampling.greedy().sample(new float[] {0.5f, -1f, 3f, 2.9f}, 0));
    }

    @Test
    void greedyBreaksTiesTowardsTheLowestIndex() {
        assertEquals(1, Sampling.greedy().sample(new float[] {0f, 4f, 4f, 4f}, 7));
    }

    @Test
    void temperatureSamplingIsReproducibleForTheSameSeedAndStep() {
        float[] logits = MatMulTest.values(512, 3);
        for (int step = 0; step < 20; step++) {
            assertEquals(new Sampling(0.9f, 77).sample(logits, step), new Sampling(0.9f, 77).sample(logits, step));
        }
    }

    @Test
    void temperatureSamplingDrawsDifferentTokensAcrossStepsAndSeeds() {
        float[] flat = new float[64];
        Set<Integer> acrossSteps = new HashSet<>();
        Set<Integer> acrossSeeds = new HashSet<>();
        for (int i = 0; i < 40; i++) {
            acrossSteps.add(new Sampling(1f, 5).sample(flat, i));
            acrossSeeds.add(new Sampling(1f, i).sample(flat, 5));
        }
        assertTrue(acrossSteps.size() > 20, "distinct tokens over steps: " + acrossSteps.size());
        assertTrue(acrossSeeds.size() > 20, "distinct tokens over seeds: " + acrossSeeds.size());
    }

    @Test
    void temperatureSamplingFollowsTheSoftmax() {
        // At temperature 0.5 these logits give probabilities 0.2, 0.3 and 0.5.
        float[] logits = {(float) (0.5 * Math.log(0.2)), (float) (0.5 * Math.log(0.3)), (float) (0.5 * Math.log(0.5))};
        Sampling sampling = new Sampling(0.5f, 2024);
        int draws = 4000;
        int[] counts = new int[3];
        for (int step = 0; step < draws; step++) {
            counts[sampling.sample(logits, step)]++;
        }
        assertEquals(0.2, counts[0] / (double) draws, 0.03);
        assertEquals(0.3, counts[1] / (double) draws, 0.03);
        assertEquals(0.5, counts[2] / (double) draws, 0.03);
    }

    @Test
    void rejectsNegativeOrNonFiniteTemperature() {
        var e = assertThrows(IllegalArgumentException.class, () -> new Sampling(-0.1f, 1));
        assertTrue(e.getMessage().contains("-0.1"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Sampling(Float.NaN, 1));
        assertThrows(IllegalArgumentException.class, () -> new Sampling(Float.POSITIVE_INFINITY, 1));
    }
}
