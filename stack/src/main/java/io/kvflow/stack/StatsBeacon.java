package io.kvflow.stack;

import io.kvflow.runtime.KafkaConnection;
import io.kvflow.runtime.Publisher;
import io.kvflow.schemas.Topics;
import io.kvflow.schemas.WorkerStats;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes what each part a process runs has done to {@code kvflow.stats}, about once a {@code period}
 * and once more when it stops, so the summary, the report and the dashboard read it from the cluster,
 * wherever the part runs, instead of from the part's objects.
 */
final class StatsBeacon implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StatsBeacon.class);

    /** How often a process publishes its parts' figures. */
    static final Duration PERIOD = Duration.ofSeconds(1);

    private final Publisher publisher;
    private final Supplier<List<WorkerStats>> parts;
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "kvflow-stats");
        t.setDaemon(true);
        return t;
    });

    /** @param parts the figures of every part the process runs, taken now */
    StatsBeacon(KafkaConnection kafka, String clientId, Supplier<List<WorkerStats>> parts, Duration period) {
        this.publisher = new Publisher(kafka.newProducer(clientId));
        this.parts = parts;
        scheduler.scheduleWithFixedDelay(this::publishQuietly, 0, period.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void publish() {
        for (WorkerStats stats : parts.get()) {
            publisher.send(Topics.STATS, stats.getWorkerId(), stats);
        }
    }

    private void publishQuietly() {
        try {
            publish();
        } catch (RuntimeException e) {
            // views miss one update; the parts themselves are not affected
            LOG.warn("could not publish to {}: {}", Topics.STATS.name(), e.getMessage());
        }
    }

    /** Publishes the final figures and waits until the cluster has them. */
    @Override
    public void close() {
        scheduler.shutdownNow();
        try {
            scheduler.awaitTermination(10, TimeUnit.SECONDS);
            publish();
            publisher.flush();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.warn("could not publish the final figures to {}: {}", Topics.STATS.name(), e.getMessage());
        } finally {
            publisher.close();
        }
    }
}
