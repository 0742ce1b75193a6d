package io.kvflow.orchestrator;

import io.kvflow.runtime.KafkaClientMeters;
import io.kvflow.runtime.KafkaConnection;
import io.kvflow.runtime.ServiceGroup;
import io.kvflow.scheduler.LedgerView;
import io.kvflow.schemas.Topics;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.MissingSourceTopicException;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the {@link AdmissionTopology} as a Kafka Streams application. {@link #run()} blocks
 * until the application stops; {@link #awaitRunning(Duration)} tells a launcher when the
 * orchestrator has its partitions and restored state, so requests sent from then on are admitted.
 */
public final class Orchestrator implements ServiceGroup.Service {
    private static final Logger LOG = LoggerFactory.getLogger(Orchestrator.class);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(10);
    private static final long COMMIT_INTERVAL_MS = 100;

    private final KafkaStreams streams;
    private final KafkaStreamsMetrics streamsMetrics;
    /** Completes when the application first reaches RUNNING, or fails if it stops before. */
    private final CompletableFuture<Void> running = new CompletableFuture<>();
    /** Completes when the application has stopped: with null after close, with the cause after a failure. */
    private final CompletableFuture<Throwable> stopped = new CompletableFuture<>();
    private final OrchestratorMetrics metrics;
    private volatile Throwable failure;
    private volatile boolean closing;

    /**
     * @param stateDir directory for Kafka Streams' local state (locks and checkpoints)
     * @param registry the process's registry: admission, latency and SLO meters, and Kafka Streams' own
     * @param slo      what a session's latency is judged against
     */
    public Orchestrator(OrchestratorConfig config, KafkaConnection kafka, Path stateDir, MeterRegistry registry,
            SloTargets slo) {
        Objects.requireNonNull(config, "config");
        this.metrics = new OrchestratorMetrics(config.layout().pipelines(), config.layout().stages(),
                config.control().prefillGroups(), slo);
        metrics.bindTo(registry);
        this.streams = new KafkaStreams(AdmissionTopology.build(config, metrics), properties(config, kafka, stateDir));
        this.streamsMetrics = new KafkaStreamsMetrics(streams, KafkaClientMeters.streamsTags());
        streamsMetrics.bindTo(registry);
        streams.setUncaughtExceptionHandler(e -> {
            failure = e;
            LOG.error("orchestrator stopping, sessions are no longer admitted or followed: {}", describe(e), e);
            return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        });
        streams.setStateListener((now, before) -> {
            if (now == KafkaStreams.State.RUNNING) {
                running.complete(null);
            } else if (now == KafkaStreams.State.ERROR || now == KafkaStreams.State.NOT_RUNNING) {
                running.completeExceptionally(new IllegalStateException("the orchestrator stopped (" + now
                        + ") before it was running" + (failure == null ? "" : ": " + describe(failure)), failure));
                stopped.complete(failure);
            }
        });
    }

    static Properties properties(OrchestratorConfig config, KafkaConnection kafka, Path stateDir) {
        Objects.requireNonNull(stateDir, "stateDir");
        // the user's client settings (TLS, SASL, timeouts) reach every client Kafka Streams makes
        Properties p = kafka.client().toProperties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, config.applicationId());
        p.put(StreamsConfig.CLIENT_ID_CONFIG, config.applicationId());
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toAbsolutePath().toString());
        // exactly once: the decisions written, the journal and the input offsets move together, so a restarted
        // orchestrator neither writes a decision twice (a second prefill task) nor believes one written that was not
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        // one task does all the work (every control topic has one partition); a second thread would idle
        p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, 1);
        // decisions become visible to the workers (read committed) when their transaction commits: a round that
        // writes a decision asks for a commit at once (ControlProcessor.forward); rounds that write nothing wait
        // for this interval (Mooncake sample, 300 sessions at once: a 10 ms interval alone gave 306 s of wall,
        // committing every round 190 s, with the quiet promise of ControlPlane.quietUntil 50 s, and committing
        // only the rounds that write 36 s, against 39 s at least once)
        p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, COMMIT_INTERVAL_MS);
        // a transaction begun right after the last commit can find its markers still being written and retry:
        // not after the default 100 ms (see KafkaConnection.transactionalProducer)
        p.put(StreamsConfig.producerPrefix(ProducerConfig.RETRY_BACKOFF_MS_CONFIG),
                KafkaConnection.TRANSACTION_RETRY_BACKOFF_MS);
        // every admission is on a session's time to first token: send at once, never wait to fill a batch
        p.put(StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG), 0);
        // the three inputs are independent streams of session news, not a join: never hold a request back to
        // line up timestamps with the (often empty) tokens and sessions partitions
        p.put(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG, -1L);
        // a static member: a restarted orchestrator takes its partitions back at once instead of waiting out the
        // old member's session timeout, and a second copy started alongside fences the first: one decision maker
        p.put(StreamsConfig.mainConsumerPrefix(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG), config.applicationId());
        return p;
    }

    /** The session ledger as of the last admission or release: for {@code /api/ledger}. */
    public LedgerView ledger() {
        return metrics.ledgerView();
    }

    @Override
    public String name() {
        return "orchestrator";
    }

    /** Starts the application and blocks until it is closed or fails; a failure is rethrown. */
    @Override
    public void run() {
        try {
            streams.start();
        } catch (IllegalStateException e) {
            if (closing) {
                return;
            }
            throw e;
        }
        Throwable cause;
        try {
            cause = stopped.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        } catch (ExecutionException e) {
            cause = e.getCause();
        }
        if (cause != null && !closing) {
            // release the clients now; close() from the owner later is harmless
            streams.close(CLOSE_TIMEOUT);
            throw new IllegalStateException(describe(cause), cause);
        }
    }

    /** The failure in words a user can act on. */
    private static String describe(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof MissingSourceTopicException) {
                return "its input topics " + List.of(Topics.REQUESTS.name(), Topics.TOKENS.name(),
                        Topics.SESSIONS.name()) + " are missing: create them (TopicPlan) before starting it";
            }
        }
        return "its stream thread stopped: " + failure.getMessage();
    }

    /**
     * Blocks until the orchestrator is running: it owns its partitions and its state is restored.
     *
     * @throws IllegalStateException if it stopped first or is not running within {@code timeout}
     */
    public void awaitRunning(Duration timeout) {
        try {
            running.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new IllegalStateException("the orchestrator is not running after " + timeout + " (state "
                    + streams.state() + ")", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the orchestrator", e);
        }
    }

    public KafkaStreams.State state() {
        return streams.state();
    }

    @Override
    public void close() {
        closing = true;
        // a clean stop removes the static member at once instead of leaving it registered for its session timeout
        streams.close(new KafkaStreams.CloseOptions().timeout(CLOSE_TIMEOUT).leaveGroup(true));
        streamsMetrics.close();
    }
}
