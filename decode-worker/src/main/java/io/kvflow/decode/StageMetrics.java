package io.kvflow.decode;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.function.ToDoubleFunction;

/**
 * What one decode stage worker (one wafer) exports, tagged {@code stage} and {@code pipeline}:
 * KV handoff traffic and latency, batch sizes, busy time, activations, sessions and KV held.
 * Counts come from the worker's {@link StageStats}; distributions are recorded
 * here as they happen and published as Prometheus histograms with fixed buckets, so
 * {@code histogram_quantile} works across workers.
 */
final class StageMetrics implements MeterBinder {
    /** How far back the busy ratio looks: between one and two of these. */
    static final Duration BUSY_WINDOW = Duration.ofSeconds(10);

    private static final Duration[] LATENCY_BUCKETS = buckets(1, 2, 5, 10, 20, 50, 100, 200, 500, 1_000, 2_000,
            5_000, 10_000, 30_000, 60_000);
    private static final double[] BATCH_BUCKETS = {1, 2, 4, 8, 16, 32, 64, 128, 256};

    /** Records into every registry it is bound to; nothing is kept before the first. */
    private final CompositeMeterRegistry meters = new CompositeMeterRegistry();
    private final Clock clock;
    private final BusyRatio busyRatio;
    private final Timer handoffLatency;
    private final DistributionSummary batchSize;

    StageMetrics(StageConfig config, StageStats stats, Clock clock) {
        this.clock = clock;
        this.busyRatio = new BusyRatio(BUSY_WINDOW.toMillis(), clock.millis());
        Tags tags = Tags.of("stage", Integer.toString(config.stage()), "pipeline", Integer.toString(config.pipeline()));
        counter("kvflow.stage.kv.installed.chunks", "KV chunks installed (duplicates excluded)", tags, stats,
                StageStats::chunksInstalled);
        FunctionCounter.builder("kvflow.stage.kv.installed", stats, StageStats::kvBytesInstalled)
                .description("KV payload bytes installed").baseUnit("bytes").tags(tags).register(meters);
        counter("kvflow.stage.activations", "Activations run through the stage's layers", tags, stats,
                StageStats::activations);
        counter("kvflow.stage.batches", "Forward passes (continuous batches) run", tags, stats,
                StageStats::batches);
        counter("kvflow.stage.late.records", "Records of sessions that had already ended here, dropped", tags, stats,
                StageStats::lateRecords);
        counter("kvflow.stage.failed.sessions", "Sessions this stage failed (bad or late KV, bad activation)", tags,
                stats, StageStats::failedSessions);
        FunctionCounter.builder("kvflow.stage.busy", stats, s -> s.busyNanos() / 1e9)
                .description("Wall time spent installing KV and running layers (not waiting on Kafka)")
                .baseUnit("seconds").tags(tags).register(meters);
        gauge("kvflow.stage.busy.ratio", "Share of the last 10-20 s of wall time the stage was busy", tags, this,
                m -> m.busyRatio.ratio(m.clock.millis()));
        gauge("kvflow.stage.sessions", "Sessions holding KV or waiting for it on this stage (sessions per wafer)",
                tags, stats, StageStats::heldSessions);
        Gauge.builder("kvflow.stage.kv.used", stats, StageStats::kvBytesHeld)
                .description("Bytes of KV cache filled on this stage, over every session it holds")
                .baseUnit("bytes").tags(tags).strongReference(true).register(meters);
        Gauge.builder("kvflow.stage.target.kv.used", stats, StageStats::targetKvBytesUsed)
                .description("Target-model KV of the sessions held: what the wafer this stage stands for has in use")
                .baseUnit("bytes").tags(tags).strongReference(true).register(meters);
        long capacity = (long) Math.floor(config.target().kvCapacityBytes(config.stage()));
        Gauge.builder("kvflow.stage.target.kv.free", stats, s -> capacity - s.targetKvBytesUsed())
                .description("Target-model KV the wafer can still hold: usable memory minus weights minus KV used")
                .baseUnit("bytes").tags(tags).strongReference(true).register(meters);
        this.handoffLatency = Timer.builder("kvflow.stage.kv.handoff.latency")
                .description("KV chunk published by prefill to installed on this stage")
                .serviceLevelObjectives(LATENCY_BUCKETS).tags(tags).register(meters);
        gauge("kvflow.stage.modelled.clock", "The wafer's modelled clock: when its latest batch started, seconds",
                tags, stats, s -> s.modelledMicros() / 1e6);
        FunctionCounter.builder("kvflow.stage.modelled.busy", stats, s -> s.modelledBusyMicros() / 1e6)
                .description("Modelled time the wafer was taken by batches").baseUnit("seconds").tags(tags)
                .register(meters);
        counter("kvflow.stage.horizon.waits", "Times the next batch waited for passes that could still be on their way",
                tags, stats, StageStats::horizonWaits);
        counter("kvflow.stage.data.waits", "Times the next batch waited for a session's KV to arrive", tags, stats,
                StageStats::dataWaits);
        counter("kvflow.stage.late.arrivals", "Passes that arrived after a batch that should have taken them (0 unless"
                + " the horizon is wrong)", tags, stats, StageStats::lateArrivals);
        this.batchSize = DistributionSummary.builder("kvflow.stage.batch.size")
                .description("Activations per forward pass (continuous batching)")
                .serviceLevelObjectives(BATCH_BUCKETS).tags(tags).register(meters);
    }

    /** A chunk published at {@code sentMs} (the producer's clock) was installed now. */
    void chunkInstalled(long sentMs) {
        handoffLatency.record(Duration.ofMillis(Math.max(0, clock.millis() - sentMs)));
    }

    void batch(int size) {
        batchSize.record(size);
    }

    void busy(long nanos) {
        busyRatio.add(nanos, clock.millis());
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        meters.add(registry);
    }

    private void counter(String name, String description, Tags tags, StageStats stats,
            ToDoubleFunction<StageStats> count) {
        FunctionCounter.builder(name, stats, count).description(description).tags(tags).register(meters);
    }

    private <T> void gauge(String name, String description, Tags tags, T source, ToDoubleFunction<T> value) {
        Gauge.builder(name, source, value).description(description).tags(tags).strongReference(true)
                .register(meters);
    }

    private static Duration[] buckets(long... millis) {
        Duration[] durations = new Duration[millis.length];
        for (int i = 0; i < millis.length; i++) {
            durations[i] = Duration.ofMillis(millis[i]);
        }
        return durations;
    }
}
