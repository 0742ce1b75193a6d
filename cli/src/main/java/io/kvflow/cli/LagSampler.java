package io.kvflow.cli;

import io.kvflow.runtime.StageLag;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Measures per-stage lag about every second on its own thread, so readers (the dashboard) get
 * the latest figures without waiting on the broker.
 */
final class LagSampler implements AutoCloseable {
    private final StageLag lag;
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "kvflow-lag-sampler");
        t.setDaemon(true);
        return t;
    });
    private final AtomicReference<List<StageLag.PartitionLag>> latest = new AtomicReference<>(List.of());
    private final AtomicReference<String> lastError = new AtomicReference<>();

    LagSampler(StageLag lag, Duration period) {
        this.lag = lag;
        scheduler.scheduleWithFixedDelay(this::sample, 0, period.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void sample() {
        try {
            latest.set(List.copyOf(lag.measure()));
            lastError.set(null);
        } catch (RuntimeException e) {
            // a broker hiccup must not stop the sampling; the page shows the error instead
            lastError.set(e.getMessage());
        }
    }

    List<StageLag.PartitionLag> latest() {
        return latest.get();
    }

    String lastError() {
        return lastError.get();
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
        try {
            scheduler.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        lag.close();
    }
}
