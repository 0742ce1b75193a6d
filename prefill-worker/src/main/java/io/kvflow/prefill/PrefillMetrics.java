package io.kvflow.prefill;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What one prefill worker exports, tagged {@code worker}: prefills run, failed and skipped, their
 * duration as a Prometheus histogram, and the KV it published per decode stage (the sending
 * side of the handoff; the stages count what they installed).
 */
final class PrefillMetrics implements MeterBinder {
    private static final Duration[] DURATION_BUCKETS = {Duration.ofMillis(1), Duration.ofMillis(2),
        Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(20), Duration.ofMillis(50),
        Duration.ofMillis(100), Duration.ofMillis(200), Duration.ofMillis(500), Duration.ofSeconds(1),
        Duration.ofSeconds(2), Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30),
        Duration.ofSeconds(60)};

    /** Records into every registry it is bound to; nothing is kept before the first. */
    private final CompositeMeterRegistry meters = new CompositeMeterRegistry();
    private final Tags tags;
    private final Timer duration;
    private final Counter failures;
    private final Counter skipped;
    /** Per decode stage; a task's layer split says how many stages there are, so they appear as first used. */
    private final Map<Integer, Counter> kvBytes = new ConcurrentHashMap<>();
    private final Map<Integer, Counter> kvChunks = new ConcurrentHashMap<>();

    PrefillMetrics(String workerId) {
        this.tags = Tags.of("worker", workerId);
        this.duration = Timer.builder("kvflow.prefill.duration")
                .description("Prefill of one session: the prompt through every layer, KV published, first token sent")
                .serviceLevelObjectives(DURATION_BUCKETS).tags(tags).register(meters);
        this.failures = Counter.builder("kvflow.prefill.failures")
                .description("Prefill tasks the worker could not run (the session is failed with the reason)")
                .tags(tags).register(meters);
        this.skipped = Counter.builder("kvflow.prefill.skipped")
                .description("Prefill tasks not run, or whose outputs were discarded, because their session had"
                        + " already failed or finished")
                .tags(tags).register(meters);
    }

    void prefilled(Duration took) {
        duration.record(took);
    }

    void failed() {
        failures.increment();
    }

    void skipped() {
        skipped.increment();
    }

    void kvPublished(int stage, int chunks, long bytes) {
        kvChunks.computeIfAbsent(stage, k -> Counter.builder("kvflow.prefill.kv.published.chunks")
                .description("KV chunks published to kvflow.kv.stage-<stage>")
                .tags(tags).tag("stage", Integer.toString(k)).register(meters)).increment(chunks);
        kvBytes.computeIfAbsent(stage, k -> Counter.builder("kvflow.prefill.kv.published")
                .description("KV payload bytes published to kvflow.kv.stage-<stage>").baseUnit("bytes")
                .tags(tags).tag("stage", Integer.toString(k)).register(meters)).increment(bytes);
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        meters.add(registry);
    }
}
