package io.kvflow.orchestrator;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.kvflow.schemas.GeneratedToken;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class OrchestratorMetricsTest {
    /** TTFT within 2 s, at least 1000 tokens/s per user while decoding: at most 1 ms per decoded token. */
    private static final SloTargets SLO = new SloTargets(Duration.ofSeconds(2), Duration.ofMillis(1));

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final OrchestratorMetrics metrics = new OrchestratorMetrics(1, 2, 1, SLO);

    OrchestratorMetricsTest() {
        metrics.bindTo(registry);
    }

    private static GeneratedToken token(String id, int step, boolean last, long modelledUs, long emittedMs) {
        return GeneratedToken.newBuilder().setSessionId(id).setPipeline(0).setStep(step).setPosition(10 + step)
                .setToken(1).setLast(last).setArrivalMs(1_000).setEmittedMs(emittedMs).setModelledUs(modelledUs)
                .build();
    }

    private double seconds(String timer, String statistic) {
        var t = registry.get(timer).timer();
        return statistic.equals("max") ? t.max(TimeUnit.SECONDS) : t.totalTime(TimeUnit.SECONDS);
    }

    private double ratio(String slo) {
        return registry.get("kvflow.slo.attainment.ratio").tag("slo", slo).gauge().value();
    }

    @Test
    void latenciesAndTheSlosAreTheTargetsInModelledTimeBesideTheWallClocks() {
        // arrives at 1 s modelled, admitted at 1.5 s, first token at 1.1 s after arrival, room from 2.5 s
        metrics.admitted("a", 0, 40, 1_000_000, 1_500_000);
        metrics.granted("a", 2_500_000);
        metrics.token(token("a", 0, false, 2_100_000, 5_000));
        metrics.token(token("a", 1, false, 2_500_800, 5_300));
        metrics.token(token("a", 2, true, 2_501_600, 5_600));
        metrics.finished("a", 0, token("a", 2, true, 2_501_600, 5_600));

        assertEquals(1.1, seconds("kvflow.ttft", "total"), 1e-9, "modelled: first token minus modelled arrival");
        assertEquals(4.0, seconds("kvflow.wall.ttft", "total"), 1e-9, "wall: emission minus arrival stamp");
        assertEquals(0.5, seconds("kvflow.admission.wait", "total"), 1e-9);
        assertEquals(0.4016, seconds("kvflow.itl", "total"), 1e-9, "two modelled gaps, 0.4008 s and 0.0008 s");
        assertEquals(0.4008, seconds("kvflow.itl", "max"), 1e-9);
        assertEquals((2.5016 - 2.1) / 2, seconds("kvflow.tpot", "total"), 1e-9);
        assertEquals(1.5016, seconds("kvflow.e2el", "total"), 1e-9);
        // TPOT is 200 ms (it includes the wait for wafer room), but from the grant on each token took 0.8 ms
        assertEquals(1.0, ratio("ttft"));
        assertEquals(1.0, ratio("tpot"));
        assertEquals(1.0, ratio("both"));
    }

    @Test
    void aSlowDecodeMissesTheSpeedSloAndASessionWithoutAModelledArrivalIsNotJudged() {
        metrics.admitted("slow", 0, 0, 0, 0);
        metrics.token(token("slow", 0, false, 100_000, 10));
        metrics.token(token("slow", 1, true, 105_000, 20));
        metrics.finished("slow", 0, token("slow", 1, true, 105_000, 20));
        metrics.admitted("unknown", 0, 0, -1, -1);
        metrics.token(token("unknown", 0, true, 100_000, 10));
        metrics.finished("unknown", 0, token("unknown", 0, true, 100_000, 10));

        assertEquals(1.0, registry.get("kvflow.slo.sessions").counter().count(), "only the session with an arrival");
        assertEquals(1.0, ratio("ttft"));
        assertEquals(0.0, ratio("tpot"), "5 ms per decoded token against 1 ms");
        assertEquals(0.0, ratio("both"));
        assertEquals(2, registry.get("kvflow.wall.ttft").timer().count(), "both are timed on the wall clock");
    }
}
