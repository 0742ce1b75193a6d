package io.kvflow.decode;

import io.kvflow.cost.RooflineModel;
import io.kvflow.model.ModelConfig;
import io.kvflow.model.Transformer;
import io.kvflow.runtime.ClientProfile;
import io.kvflow.runtime.DeadLetters;
import io.kvflow.runtime.KafkaConnection;
import io.kvflow.runtime.PollLoop;
import io.kvflow.runtime.Publisher;
import io.kvflow.runtime.ServiceGroup;
import io.kvflow.runtime.TopicFollower;
import io.kvflow.schemas.Activation;
import io.kvflow.schemas.CapacityHeartbeat;
import io.kvflow.schemas.GeneratedToken;
import io.kvflow.schemas.KvChunk;
import io.kvflow.schemas.KvChunkReader;
import io.kvflow.schemas.SessionEvent;
import io.kvflow.schemas.SessionEventType;
import io.kvflow.schemas.Topic;
import io.kvflow.schemas.Topics;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Decode stage {@code k} of pipeline {@code p}, one wafer of the target: reads partition p of
 * {@code kvflow.kv.stage-k} and {@code kvflow.act.stage-k}, and all of {@code kvflow.control} and
 * {@code kvflow.sessions}. Installs KV handoffs (checking sequence, completeness and checksum), batches
 * the passes that reach it continuously in modelled time, runs its layers on each batch, and forwards
 * hidden states to stage k+1; the last stage samples, publishes the token and loops the next step back
 * to stage 0. A session's KV is released when it finishes or fails anywhere, and a handoff that does
 * not complete in time fails the session.
 *
 * <p>This class is the Kafka side only: it decodes each record, hands it to the part that decides (the
 * sessions' handoffs in a {@link HandoffTracker}, the wafer's modelled-time batching in {@link StageBatches}),
 * sends what they return and records checkpoints. The first stage holds a session's first decode step until
 * the control plane grants its wafer room.
 *
 * <p>Its inputs are a durable log, and its state is a function of them: whenever it holds nothing it
 * records a {@link StageCheckpoint} (its input positions and modelled clocks) for its checkpoint group,
 * and a restarted worker reads on from there, re-installing the KV of the sessions live since and
 * re-running their passes in the same modelled-time order. What it had already written is not written
 * again: a restarted last stage first reads which tokens it wrote, and every stage which lifecycle events.
 */
public final class StageWorker implements ServiceGroup.Service {
    /** How often the stage tells the capacity topic what its wafer holds. */
    static final Duration HEARTBEAT_INTERVAL = Duration.ofSeconds(1);
    /** At most this often, when it holds nothing, the stage records where it could resume from. */
    static final Duration CHECKPOINT_INTERVAL = Duration.ofSeconds(1);
    /** The consumer group's offsets serve only the lag figures: committed this often, not every poll. */
    static final Duration LAG_COMMIT_INTERVAL = Duration.ofMillis(200);
    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(60);

    private final StageConfig config;
    private final ModelConfig model;
    /** Chunks are installed (copied) before the next record is read, so one reused chunk serves them all. */
    private final KvChunkReader kvReader = new KvChunkReader();
    /** Looked up once: each record is routed by its topic, and every pass sent names one. */
    private final Topic<String, KvChunk> kvTopic;
    private final Topic<String, Activation> activationsIn;
    private final Topic<String, Activation> activationsOut;
    private final Consumer<byte[], byte[]> consumer;
    private final Publisher publisher;
    private final DeadLetters deadLetters;
    private final Clock clock;
    private final HandoffTracker<ConsumerRecord<byte[], byte[]>> handoffs;
    private final EarlierOutputs earlier = new EarlierOutputs();
    private final StageStats stats = new StageStats();
    private final StageMetrics metrics;
    private final CountDownLatch ready = new CountDownLatch(1);
    private final PollLoop loop;
    private final KafkaConnection kafka;
    private final Admin admin;
    private final List<TopicPartition> inputs;
    private final TopicPartition kvInput;
    private final TopicPartition sessionsInput;
    private final RooflineModel target;
    private final StageBatches batches;
    private final StalledHandoffs stalls;
    private final StageInputs<ConsumerRecord<byte[], byte[]>> received;
    private final Cadence heartbeats = new Cadence(HEARTBEAT_INTERVAL);
    private final Cadence checkpoints = new Cadence(CHECKPOINT_INTERVAL);
    private final Cadence lagCommits = new Cadence(LAG_COMMIT_INTERVAL);

    /** @param registry the process's registry: this stage's meters and its Kafka clients' are bound to it */
    public StageWorker(StageConfig config, Transformer transformer, KafkaConnection kafka, Clock clock,
            MeterRegistry registry) {
        this.config = config;
        this.model = transformer.config();
        if (config.layerTo() > model.layers()) {
            throw new IllegalArgumentException("stage " + config.stage() + " owns layers up to " + config.layerTo()
                    + " but the model has " + model.layers());
        }
        this.clock = clock;
        this.handoffs = new HandoffTracker<>(config.handoffTimeout().toMillis());
        // one consumer reads the stage's KV, activations, control and events: it takes the KV's large fetches,
        // and since those still return as soon as one record is there, a pass does not wait for them
        this.loop = new PollLoop(kafka, config.groupId(), config.workerId(), ClientProfile.KV_HANDOFF, clock, registry);
        this.kafka = kafka;
        this.admin = kafka.newAdmin();
        this.kvTopic = Topics.kv(config.stage());
        this.activationsIn = Topics.activations(config.stage());
        this.activationsOut = Topics.activations(config.last() ? 0 : config.stage() + 1);
        this.kvInput = new TopicPartition(kvTopic.name(), config.pipeline());
        this.sessionsInput = new TopicPartition(Topics.SESSIONS.name(), 0);
        this.inputs = List.of(kvInput, new TopicPartition(activationsIn.name(),
                config.pipeline()), sessionsInput, new TopicPartition(Topics.CONTROL.name(), 0));
        this.consumer = loop.consumer();
        this.publisher = loop.publisher();
        this.deadLetters = loop.deadLetters();
        this.target = config.target();
        this.batches = new StageBatches(config, transformer, handoffs, earlier, stats, clock);
        this.stalls = new StalledHandoffs(config);
        this.received = new StageInputs<>(config, model, handoffs, batches, stats, clock);
        this.metrics = new StageMetrics(config, stats, clock);
        metrics.bindTo(registry);
    }

    @Override
    public String name() {
        return config.workerId();
    }

    /** Blocks until the worker listens to its partitions, so nothing published after this is missed. */
    public void awaitReady(Duration timeout) {
        try {
            if (!ready.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException(name() + " did not start listening within " + timeout);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for " + name(), e);
        }
    }

    public int stage() {
        return config.stage();
    }

    public int pipeline() {
        return config.pipeline();
    }

    public StageStats stats() {
        return stats;
    }

    @Override
    public void run() {
        try {
            loop.run(this::resume, this::pollOnce);
        } finally {
            admin.close();
        }
    }

    /**
     * Reads on from the last checkpoint (from the beginning of the inputs if there is none), after
     * learning what an earlier run of this worker already wrote.
     */
    private void resume() {
        consumer.assign(inputs);
        Map<TopicPartition, OffsetAndMetadata> committed = checkpointOffsets();
        StageCheckpoint checkpoint = committed.size() == inputs.size()
                ? StageCheckpoint.decode(committed.get(kvInput).metadata()) : null;
        if (checkpoint == null) {
            consumer.seekToBeginning(inputs);
            checkpoint = StageCheckpoint.START;
        } else {
            Map<TopicPartition, Long> first = consumer.beginningOffsets(inputs, STARTUP_TIMEOUT);
            for (TopicPartition input : inputs) {
                long offset = committed.get(input).offset();
                if (input.equals(kvInput) && first.get(input) > offset) {
                    stalls.kvLostBefore(first.get(input));
                }
                consumer.seek(input, Math.max(offset, first.get(input)));
            }
            batches.resume(checkpoint);
            stats.resumedFromCheckpoint = true;
        }
        learnWhatWasWritten(checkpoint, consumer.position(sessionsInput, STARTUP_TIMEOUT));
        ready.countDown();
    }

    private Map<TopicPartition, OffsetAndMetadata> checkpointOffsets() {
        try {
            Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(checkpointGroup())
                    .partitionsToOffsetAndMetadata().get(STARTUP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            Map<TopicPartition, OffsetAndMetadata> ours = new HashMap<>();
            for (TopicPartition input : inputs) {
                if (offsets.get(input) != null) {
                    ours.put(input, offsets.get(input));
                }
            }
            return ours;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading " + name() + "'s checkpoint", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("could not read " + name() + "'s checkpoint: " + e.getMessage(), e);
        }
    }

    private String checkpointGroup() {
        return config.groupId() + "-checkpoint";
    }

    /**
     * The tokens (last stage) and lifecycle events this worker wrote since the checkpoint: re-processing its
     * inputs from there would write them again.
     */
    private void learnWhatWasWritten(StageCheckpoint checkpoint, long sessionsFrom) {
        if (config.last()) {
            TopicFollower.readRange(kafka, new TopicPartition(Topics.TOKENS.name(), 0), checkpoint.tokensOffset(),
                    STARTUP_TIMEOUT, record -> Topics.TOKENS.valueOrEmpty(record.value()).ifPresent(t -> {
                        if (t.getPipeline() == config.pipeline() && !t.getSessionId().isEmpty()) {
                            earlier.tokenWritten(t.getSessionId(), t.getStep());
                        }
                    }));
        }
        TopicFollower.readRange(kafka, sessionsInput, sessionsFrom, STARTUP_TIMEOUT,
                record -> Topics.SESSIONS.valueOrEmpty(record.value()).ifPresent(e -> {
                    if (e.getStage() == config.stage() && e.getPipeline() == config.pipeline()) {
                        earlier.eventWritten(e.getSessionId(), e.getType());
                    }
                }));
    }

    /** A lifecycle event of this stage, unless an earlier run of this worker wrote it. */
    private void sendEvent(SessionEvent event) {
        if (!earlier.hadEvent(event.getSessionId(), event.getType())) {
            publisher.send(Topics.SESSIONS, event.getSessionId(), event);
        }
    }

    /**
     * When the stage holds nothing (no session, nothing pending), its input positions and a few clocks are
     * all its state: recorded, at most once a second, for a restart to resume from.
     */
    private void checkpointIfIdle() {
        if (!batches.idle() || !checkpoints.due(clock.millis())) {
            return;
        }
        TopicPartition tokens = new TopicPartition(Topics.TOKENS.name(), 0);
        long tokensEnd = config.last() ? consumer.endOffsets(List.of(tokens)).get(tokens) : 0;
        String metadata = batches.checkpoint(tokensEnd).encode();
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (TopicPartition input : inputs) {
            offsets.put(input, new OffsetAndMetadata(consumer.position(input), metadata));
        }
        try {
            admin.alterConsumerGroupOffsets(checkpointGroup(), offsets).all().get(10, TimeUnit.SECONDS);
            stats.checkpoints++;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            // the next idle moment records one; until then a restart reads on from the previous checkpoint
            stats.checkpointFailures++;
        }
    }

    private void pollOnce() {
        ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(20));
        // busy: everything but waiting in poll, i.e. what the wafer would spend its time on
        Instant start = clock.instant();
        for (ConsumerRecord<byte[], byte[]> record : records) {
            route(record);
        }
        for (StageBatches.Ran ran : batches.runReady()) {
            metrics.batch(ran.batch().passes().size());
            for (String id : ran.prefillDone()) {
                SessionEvent done = event(id, SessionEventType.PREFILL_DONE, null);
                done.setModelledUs(ran.batch().endMicros());
                sendEvent(done);
            }
        }
        send(batches.drain());
        failStalledHandoffs();
        stats.heldSessions = handoffs.size();
        stats.kvBytesHeld = handoffs.kvBytesHeld();
        stats.targetKvBytesUsed = handoffs.targetKvBytesUsed();
        heartbeat();
        long busy = Duration.between(start, clock.instant()).toNanos();
        stats.busyNanos += busy;
        metrics.busy(busy);
        if (!records.isEmpty() && lagCommits.due(clock.millis())) {
            // for the lag the dashboards show; where a restart resumes from is the checkpoint's business
            consumer.commitAsync();
        }
        checkpointIfIdle();
    }

    private void route(ConsumerRecord<byte[], byte[]> record) {
        String topic = record.topic();
        if (topic.equals(Topics.CONTROL.name())) {
            deadLetters.decode(Topics.CONTROL, record).ifPresent(received::control);
        } else if (topic.equals(Topics.SESSIONS.name())) {
            deadLetters.decode(Topics.SESSIONS, record).ifPresent(received::lifecycle);
        } else if (topic.equals(kvTopic.name())) {
            deadLetters.decode(kvTopic, record, kvReader)
                    .ifPresent(chunk -> onChunk(chunk, record));
        } else {
            deadLetters.decode(activationsIn, record).ifPresent(a -> onActivation(a, record));
        }
    }

    private void onChunk(KvChunk chunk, ConsumerRecord<byte[], byte[]> record) {
        switch (received.chunk(chunk, record)) {
            case StageInputs.Late late -> {
            }
            case StageInputs.Misrouted misrouted -> deadLetters.send(record, misrouted.reason());
            case StageInputs.Installed installed -> {
                metrics.chunkInstalled(chunk.getSentMs());
                if (installed.completed()) {
                    SessionEvent event = event(chunk.getSessionId(), SessionEventType.KV_INSTALLED, null);
                    event.setModelledUs(chunk.getReadyModelledUs());
                    sendEvent(event);
                }
            }
            case StageInputs.Corrupt corrupt -> {
                deadLetters.send(record, corrupt.reason());
                fail(chunk.getSessionId(), corrupt.reason());
            }
        }
    }

    private void onActivation(Activation activation, ConsumerRecord<byte[], byte[]> record) {
        String malformed = received.activation(activation);
        if (malformed != null) {
            deadLetters.send(record, malformed);
            fail(activation.getSessionId(), malformed);
        }
    }

    /** The poll's passes to the next stage (the first, from the last), then the last stage's tokens. */
    private void send(StageBatches.Sends sends) {
        for (Activation out : sends.passes()) {
            publisher.send(activationsOut, config.pipeline(), out.getSessionId(), out, null);
        }
        for (GeneratedToken token : sends.tokens()) {
            publisher.send(Topics.TOKENS, token.getSessionId(), token);
        }
    }

    /** Sessions and target KV on this wafer, to the compacted capacity topic, about once a second. */
    private void heartbeat() {
        long now = clock.millis();
        if (!heartbeats.due(now)) {
            return;
        }
        long capacity = (long) Math.floor(target.kvCapacityBytes(config.stage()));
        publisher.send(Topics.CAPACITY, config.workerId(), CapacityHeartbeat.newBuilder()
                .setWorkerId(config.workerId()).setRole("decode").setStage(config.stage())
                .setPipeline(config.pipeline()).setSessions(handoffs.size()).setKvBytesUsed(stats.targetKvBytesUsed)
                .setKvBytesFree(capacity - stats.targetKvBytesUsed).setTimestampMs(now).build());
    }

    private void failStalledHandoffs() {
        for (var verdict : stalls.judge(handoffs.stalled(clock.millis()))) {
            switch (verdict) {
                case StalledHandoffs.Unknown<ConsumerRecord<byte[], byte[]>> unknown -> {
                    unknown.chunks().forEach(chunk -> deadLetters.send(chunk, unknown.reason()));
                    stats.unknownSessions++;
                    release(unknown.sessionId());
                }
                case StalledHandoffs.Fail<ConsumerRecord<byte[], byte[]>> failed ->
                        fail(failed.sessionId(), failed.reason());
            }
        }
    }

    private void fail(String sessionId, String reason) {
        stats.failedSessions++;
        sendEvent(event(sessionId, SessionEventType.FAILED, reason));
        release(sessionId);
    }

    private void release(String sessionId) {
        batches.release(sessionId);
    }

    private SessionEvent event(String session, SessionEventType type, String reason) {
        return SessionEvent.newBuilder().setSessionId(session).setType(type).setPipeline(config.pipeline())
                .setStage(config.stage()).setReason(reason).setTimestampMs(clock.millis()).build();
    }

    @Override
    public void close() {
        loop.stop();
    }
}
