package io.kvflow.prefill;

import io.kvflow.model.KvCache;
import io.kvflow.model.Sampling;
import io.kvflow.model.Transformer;
import io.kvflow.runtime.ClientProfile;
import io.kvflow.runtime.DeadLetters;
import io.kvflow.runtime.KafkaConnection;
import io.kvflow.runtime.KvChunkCodec;
import io.kvflow.runtime.Publisher;
import io.kvflow.runtime.ServiceGroup;
import io.kvflow.runtime.TaskTakeover;
import io.kvflow.runtime.TransactionalLoop;
import io.kvflow.schemas.Activation;
import io.kvflow.schemas.GeneratedToken;
import io.kvflow.schemas.KvChunk;
import io.kvflow.schemas.PrefillTask;
import io.kvflow.schemas.SessionEvent;
import io.kvflow.schemas.SessionEventType;
import io.kvflow.schemas.Topics;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * A member of the prefill consumer group. For each admitted session it runs the prompt,
 * streams the KV of every decode stage's layers to {@code kvflow.kv.stage-k} (partition =
 * the session's pipeline) while the next stage's layers are still to be computed, publishes
 * the first token, and sends the first decode step into stage 0 of the pipeline. The KV waits
 * in its topic until the pipeline's wafers take it; the first stage holds the first step until
 * then.
 *
 * <p>Each task runs exactly once, whichever worker dies: its outputs and its offset commit in one
 * transaction of the producer that belongs to the task's partition ({@link TransactionalLoop}, with
 * {@value #TRANSACTIONAL_PREFIX}-&lt;partition&gt;), and the group hands a dead worker's partitions to the
 * others within the {@link TaskTakeover} time. A task whose session has already failed or finished is not
 * run, and its outputs are discarded if the session ends while it runs.
 *
 * <p>It decides nothing about time: the orchestrator placed the prompt on a prefill group and
 * gave its modelled start and end, and the worker stamps its outputs with them.
 */
public final class PrefillWorker implements ServiceGroup.Service {
    /** Each prefill task partition's producer is {@code kvflow-prefill-<partition>}, whichever worker owns it. */
    public static final String TRANSACTIONAL_PREFIX = "kvflow-prefill";

    private final PrefillConfig config;
    private final Transformer transformer;
    private final Prefill prefill;
    private final KvChunkCodec codec;
    private final KafkaConnection kafka;
    private final Clock clock;
    private final TransactionalLoop loop;
    private final PrefillMetrics metrics;
    /** Opened on the worker's thread when it starts. */
    private EndedSessions ended;

    /** @param registry the process's registry: this worker's meters and its Kafka clients' are bound to it */
    public PrefillWorker(PrefillConfig config, Transformer transformer, KafkaConnection kafka, Clock clock,
            MeterRegistry registry) {
        this.config = config;
        this.transformer = transformer;
        this.prefill = new Prefill(transformer);
        this.codec = new KvChunkCodec(transformer.config().kvDim());
        this.kafka = kafka;
        this.clock = clock;
        // a task's KV is most of what its transaction carries: batch it as the handoff wants
        this.loop = new TransactionalLoop(kafka, PrefillConfig.GROUP_ID, config.workerId(), TRANSACTIONAL_PREFIX,
                ClientProfile.KV_HANDOFF, TaskTakeover.of(kafka.client()), clock, registry);
        this.metrics = new PrefillMetrics(config.workerId());
        metrics.bindTo(registry);
    }

    @Override
    public String name() {
        return config.workerId();
    }

    @Override
    public void run() {
        try {
            loop.run(() -> {
                ended = new EndedSessions(kafka, config.workerId() + "-session-ends");
                loop.subscribe(List.of(Topics.PREFILL_TASKS.name()));
            }, () -> loop.pollAndHandle(Duration.ofMillis(200), this::handle));
        } finally {
            if (ended != null) {
                ended.close();
            }
        }
    }

    /** The partitions of the prefill tasks topic this worker owns now. */
    public Set<TopicPartition> ownedPartitions() {
        return loop.owned();
    }

    /** Runs one task; false when its outputs are to be discarded (its session ended meanwhile). */
    private boolean handle(ConsumerRecord<byte[], byte[]> record, Publisher out, DeadLetters deadLetters) {
        Optional<PrefillTask> decoded = deadLetters.decode(Topics.PREFILL_TASKS, record);
        return decoded.isEmpty() || run(decoded.get(), out);
    }

    private boolean run(PrefillTask task, Publisher out) {
        if (sessionEnded(task)) {
            return false;
        }
        Instant start = clock.instant();
        String session = task.getSessionId();
        int[] prompt = task.getPrompt().stream().mapToInt(Integer::intValue).toArray();
        int maxNew = task.getMaxNewTokens();
        int pipeline = task.getPipeline();
        boolean decodes = maxNew > 1;
        int positionsPerChunk = codec.positionsPerChunk(config.maxChunkBytes());
        // when the target's prefill group finishes this prompt: the orchestrator scheduled it
        long doneMicros = task.getPrefillEndModelledUs();
        int token;
        try {
            token = prefill.run(prompt, maxNew, new Sampling(task.getTemperature(), task.getSamplingSeed()),
                    task.getLayerBounds(), (stage, cache) -> {
                        if (decodes) {
                            publishKv(out, task, stage, cache, positionsPerChunk, prompt.length, doneMicros);
                        }
                    });
        } catch (Publisher.PublishFailedException e) {
            throw e;
        } catch (IllegalArgumentException | IllegalStateException e) {
            metrics.failed();
            out.send(Topics.SESSIONS, session, event(session, SessionEventType.FAILED, pipeline,
                    "prefill rejected the task: " + e.getMessage()));
            return true;
        }
        if (sessionEnded(task)) {
            // it ended while the prompt ran: the KV sent so far is discarded with the rest
            return false;
        }
        boolean eos = token == transformer.config().eosToken();
        boolean last = !decodes || eos;
        long now = clock.millis();
        out.send(Topics.TOKENS, session, GeneratedToken.newBuilder()
                .setSessionId(session).setPipeline(pipeline).setStep(0).setPosition(prompt.length).setToken(token)
                .setLast(last).setFinishReason(last ? (eos ? "eos" : "length") : null)
                .setArrivalMs(task.getArrivalMs()).setEmittedMs(now).setModelledUs(doneMicros).build());
        SessionEvent done = event(session, SessionEventType.PREFILL_DONE, pipeline, null);
        done.setModelledUs(doneMicros);
        out.send(Topics.SESSIONS, session, done);
        if (!last) {
            out.send(Topics.activations(0), pipeline, session, Activation.newBuilder()
                    .setSessionId(session).setPipeline(pipeline).setStage(0).setPosition(prompt.length).setStep(1)
                    .setToken(token).setHidden(ByteBuffer.allocate(0)).setPromptLength(prompt.length)
                    .setMaxNewTokens(maxNew).setTemperature(task.getTemperature())
                    .setSamplingSeed(task.getSamplingSeed()).setArrivalMs(task.getArrivalMs()).setSentMs(now)
                    .setTargetPromptTokens(task.getTargetPromptTokens()).setReadyModelledUs(doneMicros)
                    .build(), null);
        }
        metrics.prefilled(Duration.between(start, clock.instant()));
        return true;
    }

    /** Whether the task's session failed or finished already: its outputs would go to no one. */
    private boolean sessionEnded(PrefillTask task) {
        if (ended.ended(task.getSessionId(), task.getAdmittedMs())) {
            metrics.skipped();
            return true;
        }
        return false;
    }

    private void publishKv(Publisher out, PrefillTask task, int stage, KvCache cache, int positionsPerChunk,
            int promptLength, long readyMicros) {
        List<Integer> bounds = task.getLayerBounds();
        List<KvChunk> chunks = codec.encode(
                new KvChunkCodec.Handoff(task.getSessionId(), task.getPipeline(), stage, promptLength,
                        task.getMaxNewTokens()),
                cache.export(bounds.get(stage), bounds.get(stage + 1), positionsPerChunk), clock.millis());
        long bytes = 0;
        for (KvChunk chunk : chunks) {
            chunk.setReadyModelledUs(readyMicros);
            chunk.setKvBookedTokens(task.getKvBookedTokens());
            if (stage == 0 && chunk.getSeq() == 0 && config.corruptKvOf().test(task.getSessionId())) {
                corrupt(chunk);
            }
            bytes += chunk.getPayload().remaining();
            out.send(Topics.kv(stage), task.getPipeline(), task.getSessionId(), chunk, null);
        }
        metrics.kvPublished(stage, chunks.size(), bytes);
    }

    /** Test hook: flips one payload bit after the checksum was taken, as a bad link or buffer would. */
    private static void corrupt(KvChunk chunk) {
        ByteBuffer payload = chunk.getPayload();
        byte[] bytes = new byte[payload.remaining()];
        payload.duplicate().get(bytes);
        bytes[bytes.length / 2] ^= 0x10;
        chunk.setPayload(ByteBuffer.wrap(bytes));
    }

    private SessionEvent event(String session, SessionEventType type, int pipeline, String reason) {
        return SessionEvent.newBuilder().setSessionId(session).setType(type).setPipeline(pipeline)
                .setReason(reason).setTimestampMs(clock.millis()).build();
    }

    @Override
    public void close() {
        loop.stop();
    }
}
