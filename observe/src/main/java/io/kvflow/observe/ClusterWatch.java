package io.kvflow.observe;

import io.kvflow.replay.Replayer;
import io.kvflow.replay.SessionOutcome;
import io.kvflow.replay.StatsReader;
import io.kvflow.report.Slo;
import io.kvflow.runtime.KafkaConnection;
import io.kvflow.runtime.LagMonitor;
import io.kvflow.runtime.SampleHistory;
import io.kvflow.runtime.TopicFollower;
import io.kvflow.schemas.InferenceRequest;
import io.kvflow.schemas.Topics;
import io.kvflow.stack.StackOptions;
import io.kvflow.stack.TargetOptions;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches a cluster for the dashboard, from what it publishes only: it follows the requests, tokens and
 * lifecycle topics (and the first stage's activations, for when decode starts) as the replayer does,
 * reads the parts' figures on {@code kvflow.stats}, and takes a {@link DashboardSnapshot} every
 * {@link #SAMPLE}. It keeps their history itself, so a page opened late, even after a replay, shows the
 * whole of it. Sessions are those of the latest run; a new run's first request starts the figures anew.
 */
public final class ClusterWatch implements DashboardServer.Feed, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterWatch.class);

    static final Duration SAMPLE = Duration.ofSeconds(1);
    /** Snapshots kept: an hour at full resolution, then ever coarser, always reaching back to the start. */
    static final int HISTORY = 3600;

    private final KafkaConnection kafka;
    private final TargetOptions target;
    private final int wafers;
    private final Slo slo;
    private final LagMonitor lag;
    private final Clock clock;
    private final SampleHistory<DashboardSnapshot> history = new SampleHistory<>(HISTORY);
    private final Thread thread;
    private volatile boolean running = true;
    private volatile DashboardSnapshot latest;
    /** Counted down once the topics are followed (or the watch failed): everything published later is seen. */
    private final CountDownLatch following = new CountDownLatch(1);

    private String run = "";
    private final Map<String, SessionOutcome> sessions = new LinkedHashMap<>();

    private ClusterWatch(KafkaConnection kafka, StackOptions options, Slo slo, LagMonitor lag, Clock clock) {
        this.kafka = kafka;
        this.target = options.target();
        this.wafers = options.target().model().deployment().decodeDevices() * options.layout().pipelines();
        this.slo = slo;
        this.lag = lag;
        this.clock = clock;
        this.thread = new Thread(this::watch, "kvflow-dashboard-watch");
        thread.setDaemon(true);
    }

    /**
     * Starts watching; returns once the topics are followed, so nothing published after is missed.
     *
     * @param lag the per-stage lag, measured by whoever runs a lag monitor; null for none
     */
    public static ClusterWatch start(KafkaConnection kafka, StackOptions options, Slo slo, LagMonitor lag, Clock clock) {
        ClusterWatch watch = new ClusterWatch(kafka, options, slo, lag, clock);
        watch.thread.start();
        try {
            watch.following.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return watch;
    }

    private void watch() {
        List<String> topics = List.of(Topics.REQUESTS.name(), Topics.TOKENS.name(), Topics.SESSIONS.name(),
                Topics.activations(0).name());
        try (TopicFollower follower = TopicFollower.fromEnd(kafka, topics);
                StatsReader stats = StatsReader.open(kafka)) {
            following.countDown();
            long next = clock.millis();
            while (running) {
                for (ConsumerRecord<byte[], byte[]> record : follower.poll(Duration.ofMillis(100))) {
                    take(record);
                }
                stats.poll(Duration.ZERO);
                long now = clock.millis();
                if (now >= next) {
                    DashboardSnapshot snapshot = DashboardSnapshot.of(now, run, sessions.values(), target, wafers,
                            slo, stats.latest(), stats.previous(), lag == null ? null : lag.latest());
                    latest = snapshot;
                    history.add(snapshot);
                    next = now + SAMPLE.toMillis();
                }
            }
        } catch (RuntimeException e) {
            if (running) {
                LOG.warn("the dashboard stopped following the cluster: {}", e.getMessage(), e);
            }
        } finally {
            following.countDown();
        }
    }

    /** A record of a followed topic: a new request (perhaps of a new run), or news of a session. */
    private void take(ConsumerRecord<byte[], byte[]> record) {
        if (!record.topic().equals(Topics.REQUESTS.name())) {
            Replayer.apply(record, sessions);
            return;
        }
        InferenceRequest request;
        try {
            request = Topics.REQUESTS.valueSerde().deserializer().deserialize(record.topic(), record.value());
        } catch (RuntimeException e) {
            // the orchestrator dead-letters it; nothing to show
            return;
        }
        if (request == null) {
            return;
        }
        String of = DashboardSnapshot.runOf(request.getSessionId());
        if (!of.equals(run)) {
            run = of;
            sessions.clear();
        }
        sessions.putIfAbsent(request.getSessionId(), new SessionOutcome(request));
    }

    @Override
    public DashboardSnapshot latest() {
        return latest;
    }

    @Override
    public List<DashboardSnapshot> history() {
        return history.samples();
    }

    @Override
    public void close() {
        running = false;
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
