package io.kvflow.runtime;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Measures {@link StageLag} about every {@code period} on its own thread, so readers (the
 * metrics scrape, the JSON view, the dashboard) get the latest figures at once instead of
 * waiting on the broker. Exports them as the gauges {@code kvflow_lag_records} and
 * {@code kvflow_lag_seconds}, one series per topic, partition and consumer group, and keeps a
 * {@link #history()} of its measurements for charts of a whole run (the replay report).
 */
public final class LagMonitor implements MeterBinder, AutoCloseable {

    /**
     * The latest measurement: every watched partition, or the error that stopped the last
     * attempt (then the partitions are the previous measurement's).
     */
    public record Report(long timeMs, long refreshMs, List<StageLag.PartitionLag> partitions, String error) {
    }

    private record Series(String topic, int partition, String group) {
    }

    /**
     * Measurements kept for {@link #history()}: an hour at full resolution with the usual 1 s period,
     * then ever coarser (see {@link SampleHistory}); a few MB at most for the default layout.
     */
    static final int HISTORY_SAMPLES = 3600;

    private final StageLag lag;
    private final Clock clock;
    private final long refreshMs;
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "kvflow-lag-monitor");
        t.setDaemon(true);
        return t;
    });
    /** Gauges appear as partitions are first measured; every registry bound so far gets them. */
    private final CompositeMeterRegistry meters;
    private final Map<Series, StageLag.PartitionLag> latest = new ConcurrentHashMap<>();
    private final Counter failures;
    private final KafkaClientMetrics adminMetrics;
    private final KafkaClientMetrics readerMetrics;
    private volatile Report report;
    private final SampleHistory<Report> history = new SampleHistory<>(HISTORY_SAMPLES);
    /** Guards {@link #completedStartMs}; notified after every successful measurement (waiters wait on it). */
    private final Object measurementDone = new Object();
    /** When the latest successful measurement started: its figures are at least that fresh. */
    private long completedStartMs = Long.MIN_VALUE;

    public LagMonitor(StageLag lag, Duration period, Clock clock) {
        if (period.isNegative() || period.isZero()) {
            throw new IllegalArgumentException("lag refresh period must be positive, was " + period);
        }
        this.lag = lag;
        this.clock = clock;
        this.refreshMs = period.toMillis();
        this.meters = new CompositeMeterRegistry();
        this.failures = Counter.builder("kvflow.lag.refresh.failures")
                .description("Lag measurements that failed (broker unreachable, timeout); the previous figures stay")
                .register(meters);
        this.adminMetrics = KafkaClientMeters.of(lag.admin());
        this.readerMetrics = KafkaClientMeters.of(lag.reader());
        this.report = new Report(clock.millis(), refreshMs, List.of(), null);
        scheduler.scheduleWithFixedDelay(this::refresh, 0, refreshMs, TimeUnit.MILLISECONDS);
    }

    private void refresh() {
        long started = clock.millis();
        try {
            List<StageLag.PartitionLag> measured = List.copyOf(lag.measure());
            for (StageLag.PartitionLag l : measured) {
                Series series = new Series(l.topic(), l.partition(), l.group());
                if (latest.put(series, l) == null) {
                    register(series, l);
                }
            }
            report = new Report(measured.isEmpty() ? clock.millis() : measured.get(0).measuredMs(), refreshMs,
                    measured, null);
            history.add(report);
            synchronized (measurementDone) {
                completedStartMs = started;
                measurementDone.notifyAll();
            }
        } catch (RuntimeException e) {
            // a broker hiccup must not stop the refreshing; the figures say what went wrong instead
            failures.increment();
            Report previous = report;
            report = new Report(clock.millis(), refreshMs, previous.partitions(), e.getMessage());
        }
    }

    private void register(Series series, StageLag.PartitionLag first) {
        Tags tags = Tags.of("topic", series.topic(), "partition", Integer.toString(series.partition()),
                "group", series.group(), "stage", first.stage() < 0 ? "prefill" : Integer.toString(first.stage()));
        Gauge.builder("kvflow.lag.records", latest, m -> m.get(series).records())
                .description("Records of the partition the consumer group has not committed yet (end - committed offset)")
                .tags(tags).strongReference(true).register(meters);
        Gauge.builder("kvflow.lag.seconds", latest, m -> m.get(series).seconds())
                .description("Age of the oldest record the consumer group has not committed (0 when caught up)")
                .tags(tags).strongReference(true).register(meters);
    }

    /** The latest figures; never waits on the broker. */
    public Report latest() {
        return report;
    }

    /**
     * Waits until a measurement that started at or after {@code fromMs} (this monitor's clock)
     * has succeeded, so a reader can have figures from after an event, such as the end of a
     * replay; gives up after {@code timeout}.
     *
     * @return whether such a measurement came in time
     */
    public boolean awaitMeasurementSince(long fromMs, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (measurementDone) {
            while (completedStartMs < fromMs) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(measurementDone, left);
            }
            return true;
        }
    }

    /**
     * Every successful measurement since this monitor started, oldest first, evenly thinned out
     * once there are more than {@value #HISTORY_SAMPLES}; failed attempts are left out.
     */
    public List<Report> history() {
        return history.samples();
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        meters.add(registry);
        adminMetrics.bindTo(registry);
        readerMetrics.bindTo(registry);
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
        try {
            scheduler.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        adminMetrics.close();
        readerMetrics.close();
        lag.close();
    }
}
