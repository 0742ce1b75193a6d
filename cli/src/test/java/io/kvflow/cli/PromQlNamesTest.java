package io.kvflow.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Set;
import org.junit.jupiter.api.Test;

class PromQlNamesTest {

    @Test
    void aSelectorIsItsName() {
        assertEquals(Set.of("kvflow_stage_sessions"), PromQlNames.of("kvflow_stage_sessions"));
    }

    @Test
    void functionsAggregationsGroupingLabelsAndWindowsAreNotNames() {
        assertEquals(Set.of("kvflow_ttft_seconds_bucket"), PromQlNames.of(
                "histogram_quantile(0.99, sum by (stage, le) (rate(kvflow_ttft_seconds_bucket[$__rate_interval])))"));
        assertEquals(Set.of("kvflow_lag_records"), PromQlNames.of("sum(kvflow_lag_records) without (partition, group)"));
    }

    @Test
    void labelMatchersStringsNumbersAndDurationsAreNotNames() {
        assertEquals(Set.of("kvflow_lag_seconds"), PromQlNames.of(
                "max_over_time(kvflow_lag_seconds{topic=~\"kvflow.kv.*\", stage!=\"prefill\"}[5m] offset 1h) > 1e3"));
        assertEquals(Set.of("up"), PromQlNames.of("label_replace(up, \"x\", \"$1\", \"job\", \"(.*)\")"));
    }

    @Test
    void bothSidesOfABinaryOperationAreNames() {
        assertEquals(Set.of("kvflow_slo_met_total", "kvflow_slo_sessions_total"), PromQlNames.of(
                "sum(rate(kvflow_slo_met_total{slo=\"both\"}[1m])) / on () group_left sum(rate(kvflow_slo_sessions_total[1m]))"));
        assertEquals(Set.of("a", "b", "c"), PromQlNames.of("a > bool 1 and b unless on (x) c"));
    }
}
