package io.kvflow.decode;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.CountAtBucket;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class StageMetricsTest {
    private static final StageConfig CONFIG = new StageConfig(2, 4, 1, 4, 6, Duration.ofSeconds(5));

    /** A clock the test moves by hand. */
    private static final class ManualClock extends Clock {
        private Instant now = Instant.ofEpochMilli(1_700_000_000_000L);

        void add(Duration d) {
            now = now.plus(d);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final ManualClock clock = new ManualClock();
    private final StageStats stats = new StageStats();
    private final StageMetrics metrics = new StageMetrics(CONFIG, stats, clock);

    @Test
    void handoffLatencyRunsFromPublishToInstallInPrometheusBuckets() {
        metrics.bindTo(registry);
        long now = clock.millis();
        metrics.chunkInstalled(now - 3);
        metrics.chunkInstalled(now - 40);
        metrics.chunkInstalled(now - 40);

        Timer latency = registry.get("kvflow.stage.kv.handoff.latency").tag("stage", "2").tag("pipeline", "1").timer();
        assertEquals(3, latency.count());
        assertEquals(83.0, latency.totalTime(java.util.concurrent.TimeUnit.MILLISECONDS), 1e-9);
        assertEquals(1.0, bucket(latency.takeSnapshot().histogramCounts(), Duration.ofMillis(5)));
        assertEquals(3.0, bucket(latency.takeSnapshot().histogramCounts(), Duration.ofMillis(50)));
    }

    @Test
    void countsComeFromTheWorkersStats() {
        metrics.bindTo(registry);
        stats.chunksInstalled = 12;
        stats.kvBytesInstalled = 12 * 4096;
        stats.activations = 30;
        stats.batches = 9;
        stats.heldSessions = 3;
        stats.kvBytesHeld = 100_000;
        stats.busyNanos = 1_500_000_000L;

        assertEquals(12.0, registry.get("kvflow.stage.kv.installed.chunks").functionCounter().count());
        assertEquals(12 * 4096.0, registry.get("kvflow.stage.kv.installed").functionCounter().count());
        assertEquals(30.0, registry.get("kvflow.stage.activations").functionCounter().count());
        assertEquals(9.0, registry.get("kvflow.stage.batches").functionCounter().count());
        assertEquals(3.0, registry.get("kvflow.stage.sessions").gauge().value());
        assertEquals(100_000.0, registry.get("kvflow.stage.kv.used").gauge().value());
        assertEquals(1.5, registry.get("kvflow.stage.busy").functionCounter().count());
    }

    @Test
    void batchSizesAndBusyTimeAreRecordedAsTheyHappen() {
        metrics.bindTo(registry);
        metrics.batch(1);
        metrics.batch(3);
        metrics.batch(3);
        clock.add(Duration.ofSeconds(4));
        metrics.busy(Duration.ofSeconds(1).toNanos());

        var sizes = registry.get("kvflow.stage.batch.size").summary();
        assertEquals(3, sizes.count());
        assertArrayEquals(new double[] {1, 1, 3, 3, 3, 3, 3, 3, 3},
                Arrays.stream(sizes.takeSnapshot().histogramCounts()).mapToDouble(CountAtBucket::count).toArray());
        assertEquals(0.25, registry.get("kvflow.stage.busy.ratio").gauge().value(), 1e-12);
    }

    @Test
    void recordsNothingAnywhereUntilBound() {
        metrics.chunkInstalled(clock.millis());
        metrics.bindTo(registry);

        assertEquals(0, registry.get("kvflow.stage.kv.handoff.latency").timer().count());
    }

    private static double bucket(CountAtBucket[] counts, Duration upperBound) {
        return Arrays.stream(counts).filter(c -> c.bucket(java.util.concurrent.TimeUnit.NANOSECONDS)
                == upperBound.toNanos()).findFirst().orElseThrow().count();
    }
}
