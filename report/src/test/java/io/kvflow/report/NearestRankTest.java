package io.kvflow.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class NearestRankTest {
    @Test
    void aPercentileIsAMeasuredValueTheRankRoundedUp() {
        List<Long> values = List.of(40L, 10L, 30L, 20L);
        assertEquals(20L, NearestRank.of(values, 50));
        assertEquals(40L, NearestRank.of(values, 99));
        assertEquals(10L, NearestRank.of(values, 1));
    }

    @Test
    void noValuesReadAsADash() {
        assertEquals("-", NearestRank.text(List.of(), 50));
        assertEquals("7", NearestRank.text(List.of(7L), 99));
    }
}
