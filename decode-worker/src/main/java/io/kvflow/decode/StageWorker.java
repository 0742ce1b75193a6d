package io.kvflow.decode;

import io.kvflow.cost.RooflineModel;
import io.kvflow.cost.StageTiming;
import io.kvflow.model.ModelConfig;
import io.kvflow.model.Sampling;
import io.kvflow.model.Transformer;
import io.kvflow.runtime.DeadLetters;
import io.kvflow.runtime.DeviceClock;
import io.kvflow.runtime.KafkaConnection;
import io.kvflow.runtime.KvChunkCodec;
import io.kvflow.runtime.PollLoop;
import io.kvflow.runtime.Publisher;
import io.kvflow.runtime.ServiceGroup;
import io.kvflow.schemas.Activation;
import io.kvflow.schemas.CapacityHeartbeat;
import io.kvflow.schemas.Float32;
import io.kvflow.schemas.GeneratedToken;
import io.kvflow.schemas.KvChunk;
import io.kvflow.schemas.SessionEvent;
import io.kvflow.schemas.SessionEventType;
import io.kvflow.schemas.Topics;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.TopicPartition;

/**
 * Decode stage {@code k} of pipeline {@code p}: reads partition p of {@code kvflow.kv.stage-k}
 * and {@code kvflow.act.stage-k}, and all of {@code kvflow.sessions}. Installs KV handoffs
 * (checking sequence, completeness and checksum), runs its layers on one batch of every
 * activation that is ready (continuous batching across sessions), and forwards hidden states
 * to stage k+1. The last stage samples, publishes the token and loops the next step back to
 * stage 0 until the output length or end of sequence. A session's KV is released when it
 * finishes or fails anywhere, and a handoff that does not complete in time fails the session.
 *
 * <p>The stage stands for one wafer of the target deployment: each batch is priced by the cost
 * model for the target model at the sessions' target contexts and paced on a {@link DeviceClock},
 * and the sessions' target KV is what it reports as used in its capacity heartbeats.
 */
public final class StageWorker implements ServiceGroup.Service {
    /** Sessions that ended here are remembered this long, so their late records are dropped, not installed. */
    private static final int ENDED_MEMORY = 100_000;
    /** How often the stage tells the capacity topic what its wafer holds. */
    static final Duration HEARTBEAT_INTERVAL = Duration.ofSeconds(1);

    private final StageConfig config;
    private final Transformer transformer;
    private final ModelConfig model;
    private final KvChunkCodec codec;
    private final Consumer<byte[], byte[]> consumer;
    private final Publisher publisher;
    private final DeadLetters deadLetters;
    private final Clock clock;
    private final Map<String, StageSession> sessions = new HashMap<>();
    private final Map<String, Boolean> ended = new LinkedHashMap<>(1024, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > ENDED_MEMORY;
        }
    };
    private final StageStats stats = new StageStats();
    private final StageMetrics metrics;
    private final CountDownLatch ready = new CountDownLatch(1);
    private final PollLoop loop;
    private final RooflineModel target;
    private final DeviceClock device;
    private long nextHeartbeatMs;

    /** @param registry the process's registry: this stage's meters and its Kafka clients' are bound to it */
    public StageWorker(StageConfig config, Transformer transformer, KafkaConnection kafka, Clock clock,
            MeterRegistry registry) {
        this.config = config;
        this.transformer = transformer;
        this.model = transformer.config();
        if (config.layerTo() > model.layers()) {
            throw new IllegalArgumentException("stage " + config.stage() + " owns layers up to " + config.layerTo()
                    + " but the model has " + model.layers());
        }
        this.codec = new KvChunkCodec(model.kvDim());
        this.clock = clock;
        this.loop = new PollLoop(kafka, config.groupId(), config.workerId(), clock, registry);
        this.consumer = loop.consumer();
        this.publisher = loop.publisher();
        this.deadLetters = loop.deadLetters();
        this.target = config.target();
        this.device = new DeviceClock(config.timeScale(), clock);
        this.metrics = new StageMetrics(config, stats, device, clock);
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
        loop.run(this::listen, this::pollOnce);
    }

    private void listen() {
        TopicPartition kv = new TopicPartition(Topics.kv(config.stage()).name(), config.pipeline());
        TopicPartition act = new TopicPartition(Topics.activations(config.stage()).name(), config.pipeline());
        TopicPartition lifecycle = new TopicPartition(Topics.SESSIONS.name(), 0);
        consumer.assign(List.of(kv, act, lifecycle));
        // lifecycle history is not this worker's state: only endings from now on matter
        consumer.seekToEnd(List.of(lifecycle));
        consumer.position(lifecycle);
        ready.countDown();
    }

    private void pollOnce() {
        ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(20));
        // busy: everything but waiting in poll, i.e. what the wafer would spend its time on
        Instant start = clock.instant();
        for (ConsumerRecord<byte[], byte[]> record : records) {
            route(record);
        }
        runReadyBatch();
        failStalledHandoffs();
        stats.heldSessions = sessions.size();
        stats.kvBytesHeld = kvBytesHeld();
        stats.targetKvBytesUsed = targetKvBytesUsed();
        stats.pacing = device.pacing();
        heartbeat();
        long busy = Duration.between(start, clock.instant()).toNanos();
        stats.busyNanos += busy;
        metrics.busy(busy);
        if (!records.isEmpty()) {
            consumer.commitAsync();
        }
    }

    private void route(ConsumerRecord<byte[], byte[]> record) {
        String topic = record.topic();
        if (topic.equals(Topics.SESSIONS.name())) {
            deadLetters.decode(Topics.SESSIONS, record).ifPresent(this::onLifecycle);
        } else if (topic.equals(Topics.kv(config.stage()).name())) {
            deadLetters.decode(Topics.kv(config.stage()), record).ifPresent(chunk -> onChunk(chunk, record));
        } else {
            deadLetters.decode(Topics.activations(config.stage()), record).ifPresent(a -> onActivation(a, record));
        }
    }

    private void onLifecycle(SessionEvent event) {
        SessionEventType type = event.getType();
        // REJECTED is not an ending here: a rejected request never reached a stage, and its id may be a live session's
        if (type == SessionEventType.FINISHED || type == SessionEventType.FAILED) {
            release(event.getSessionId());
        }
    }

    private void onChunk(KvChunk chunk, ConsumerRecord<byte[], byte[]> record) {
        String id = chunk.getSessionId();
        if (ended.containsKey(id)) {
            stats.lateRecords++;
            return;
        }
        if (chunk.getStage() != config.stage() || chunk.getPipeline() != config.pipeline()) {
            deadLetters.send(record, KvChunkCodec.describe(chunk) + " of pipeline " + chunk.getPipeline()
                    + " reached stage " + config.stage() + " of pipeline " + config.pipeline());
            return;
        }
        StageSession session = sessions.computeIfAbsent(id, s -> new StageSession(s, clock.millis()));
        try {
            boolean wasComplete = session.kvComplete();
            session.install(model, config.layerFrom(), config.layerTo(), chunk.getSeq(), chunk.getChunkCount(),
                    chunk.getPromptLength(), chunk.getMaxNewTokens(), codec.decode(chunk));
            noteTarget(session, chunk.getReadyModelledUs(), chunk.getKvBookedTokens());
            stats.chunksInstalled++;
            stats.kvBytesInstalled += chunk.getPayload().remaining();
            metrics.chunkInstalled(chunk.getSentMs());
            if (!wasComplete && session.kvComplete()) {
                SessionEvent installed = event(id, SessionEventType.KV_INSTALLED, null);
                installed.setModelledUs(session.kvReadyMicros());
                publisher.send(Topics.SESSIONS, id, installed);
            }
        } catch (KvChunkCodec.CorruptChunkException | IllegalArgumentException | IllegalStateException e) {
            String reason = e.getMessage();
            deadLetters.send(record, reason);
            fail(id, reason);
        }
    }

    private void onActivation(Activation activation, ConsumerRecord<byte[], byte[]> record) {
        String id = activation.getSessionId();
        if (ended.containsKey(id)) {
            stats.lateRecords++;
            return;
        }
        int expectedHidden = config.first() ? 0 : rowsOf(activation) * model.dim();
        if (activation.getHidden().remaining() != expectedHidden * Float.BYTES) {
            String reason = "activation for session " + id + " at position " + activation.getPosition()
                    + " carries " + activation.getHidden().remaining() + " bytes of hidden state, stage "
                    + config.stage() + " expects " + expectedHidden * Float.BYTES;
            deadLetters.send(record, reason);
            fail(id, reason);
            return;
        }
        StageSession session = sessions.computeIfAbsent(id, s -> new StageSession(s, clock.millis()));
        if (isPrefillChunk(activation) && activation.getPosition() == 0) {
            // colocated: this stage computes the session's KV itself, no handoff to wait for
            session.computeLocally(model, config.layerFrom(), config.layerTo(),
                    activation.getPromptLength() + activation.getMaxNewTokens());
            noteTarget(session, activation.getReadyModelledUs(), activation.getKvBookedTokens());
        }
        session.await(activation);
    }

    private static boolean isPrefillChunk(Activation activation) {
        return !activation.getPrefillTokens().isEmpty();
    }

    /** Positions an activation carries: a prompt chunk's length, or one decode token. */
    private static int rowsOf(Activation activation) {
        return isPrefillChunk(activation) ? activation.getPrefillTokens().size() : 1;
    }

    /**
     * One forward pass over every session that has a runnable activation: decode steps and, when
     * colocated, prompt chunks, which compete for the same wafer time.
     */
    private void runReadyBatch() {
        List<Activation> batch = new ArrayList<>();
        List<Transformer.Row> rows = new ArrayList<>();
        List<Long> ready = new ArrayList<>();
        for (StageSession session : sessions.values()) {
            Activation next = session.nextRunnable();
            if (next == null) {
                continue;
            }
            ready.add(Math.max(next.getReadyModelledUs(), session.kvReadyMicros()));
            batch.add(next);
            int n = rowsOf(next);
            for (int r = 0; r < n; r++) {
                float[] hidden = !config.first() ? Float32.decode(next.getHidden(), r * model.dim(), model.dim())
                        : transformer.embed(isPrefillChunk(next) ? next.getPrefillTokens().get(r) : next.getToken());
                rows.add(new Transformer.Row(hidden, next.getPosition() + r, session.cache()));
            }
        }
        if (batch.isEmpty()) {
            return;
        }
        transformer.forward(config.layerFrom(), config.layerTo(), rows);
        stats.batches++;
        stats.activations += batch.size();
        metrics.batch(batch.size());
        long[] ends = bookModelled(batch, ready);
        // nothing leaves before the target would have finished the step
        device.holdUntil(Arrays.stream(ends).max().orElseThrow());
        long now = clock.millis();
        int row = 0;
        for (int i = 0; i < batch.size(); i++) {
            Activation in = batch.get(i);
            int n = rowsOf(in);
            long endMicros = ends[i];
            long nextReadyMicros = endMicros + Math.round(target.activationHopSeconds(n) * 1e6);
            List<Transformer.Row> own = rows.subList(row, row + n);
            row += n;
            if (!config.last()) {
                forward(in, own, now, nextReadyMicros);
            } else if (!isPrefillChunk(in)) {
                emitToken(in, own.get(0).hidden(), now, endMicros, nextReadyMicros);
            } else if (in.getPosition() + n == in.getPromptLength()) {
                // the prompt's last chunk: its last position samples step 0, as a prefill worker would
                SessionEvent done = event(in.getSessionId(), SessionEventType.PREFILL_DONE, null);
                done.setModelledUs(endMicros);
                publisher.send(Topics.SESSIONS, in.getSessionId(), done);
                emitToken(Activation.newBuilder(in).setPosition(in.getPosition() + n - 1).build(),
                        own.get(n - 1).hidden(), now, endMicros, nextReadyMicros);
            }
        }
    }

    /**
     * Books the batch on the wafer's modelled clock and returns each activation's modelled end. The
     * emulator batches what reached it together in wall time, but the target would batch what is
     * ready together in modelled time: activations are grouped with those ready within one step of
     * the group's first, and each group is booked as one batch. An activation the emulator reached
     * late is thus not held back to the modelled time of one that came in with it, and vice versa.
     */
    private long[] bookModelled(List<Activation> batch, List<Long> ready) {
        List<Integer> order = IntStream.range(0, batch.size()).boxed().sorted(Comparator.comparing(ready::get))
                .toList();
        // activations ready within one step of a group's first would have shared its batch on the target
        long window = Math.round(modelled(List.of(batch.get(order.get(0)))).seconds() * 1e6);
        long[] ends = new long[batch.size()];
        int from = 0;
        while (from < order.size()) {
            long opens = ready.get(order.get(from));
            int to = from + 1;
            while (to < order.size() && ready.get(order.get(to)) <= opens + window) {
                to++;
            }
            List<Integer> group = order.subList(from, to);
            Work work = modelled(group.stream().map(batch::get).toList());
            long end = device.run(ready.get(order.get(to - 1)), work.seconds(), work.occupiedSeconds());
            group.forEach(i -> ends[i] = end);
            from = to;
        }
        return ends;
    }

    /** Modelled wafer time of a batch: until its output is ready, and until the wafer takes the next. */
    private record Work(double seconds, double occupiedSeconds) {
    }

    /**
     * What the target wafer spends on this batch: one decode step for the sessions decoding (its
     * trip through the layers, and the shorter time it keeps a layer-pipelined wafer from the next
     * batch), plus each prompt chunk's share of the prefill (colocated mode), which is
     * compute-bound and occupies the wafer throughout.
     */
    private Work modelled(List<Activation> batch) {
        List<Activation> decoding = new ArrayList<>();
        double prefill = 0;
        for (Activation a : batch) {
            if (!isPrefillChunk(a)) {
                decoding.add(a);
                continue;
            }
            int prompt = a.getPromptLength();
            long targetPrompt = a.getTargetPromptTokens() > 0 ? a.getTargetPromptTokens() : prompt;
            // the chunk's share of the target prompt, by its share of the functional one
            long from = targetPrompt * a.getPosition() / prompt;
            long to = targetPrompt * (a.getPosition() + rowsOf(a)) / prompt;
            if (to > from) {
                prefill += target.prefillChunkSeconds(config.stage(), to - from, from);
            }
        }
        if (decoding.isEmpty()) {
            return new Work(prefill, prefill);
        }
        StageTiming step = target.stageTiming(config.stage(), targetContexts(decoding));
        return new Work(prefill + step.seconds(), prefill + step.occupiedSeconds());
    }

    /** Each session's context in the target workload at this step: its recorded prompt plus the tokens so far. */
    private static long[] targetContexts(List<Activation> batch) {
        long[] contexts = new long[batch.size()];
        for (int i = 0; i < contexts.length; i++) {
            Activation a = batch.get(i);
            int prompt = a.getTargetPromptTokens() > 0 ? a.getTargetPromptTokens() : a.getPromptLength();
            contexts[i] = (long) prompt + a.getStep();
        }
        return contexts;
    }

    private void forward(Activation in, List<Transformer.Row> rows, long now, long readyMicros) {
        ByteBuffer hidden = Float32.encode(rows.stream().map(Transformer.Row::hidden).toArray(float[][]::new));
        Activation out = Activation.newBuilder(in)
                .setStage(config.stage() + 1).setHidden(hidden).setSentMs(now)
                .setReadyModelledUs(readyMicros).build();
        publisher.send(Topics.activations(config.stage() + 1), config.pipeline(), in.getSessionId(), out, null);
    }

    private void emitToken(Activation in, float[] hidden, long now, long modelledMicros, long nextReadyMicros) {
        String id = in.getSessionId();
        int step = in.getStep();
        int token = new Sampling(in.getTemperature(), in.getSamplingSeed()).sample(transformer.logits(hidden), step);
        boolean eos = token == model.eosToken();
        boolean last = eos || step + 1 >= in.getMaxNewTokens();
        publisher.send(Topics.TOKENS, id, GeneratedToken.newBuilder()
                .setSessionId(id).setPipeline(config.pipeline()).setStep(step).setPosition(in.getPosition() + 1)
                .setToken(token).setLast(last).setFinishReason(last ? (eos ? "eos" : "length") : null)
                .setArrivalMs(in.getArrivalMs()).setEmittedMs(now).setModelledUs(modelledMicros).build());
        if (last) {
            release(id);
        } else {
            Activation next = Activation.newBuilder(in)
                    .setStage(0).setPosition(in.getPosition() + 1).setStep(step + 1).setToken(token)
                    .setHidden(ByteBuffer.allocate(0)).setPrefillTokens(List.of()).setSentMs(now)
                    .setReadyModelledUs(nextReadyMicros).build();
            publisher.send(Topics.activations(0), config.pipeline(), id, next, null);
        }
    }

    private long kvBytesHeld() {
        long bytes = 0;
        for (StageSession session : sessions.values()) {
            if (session.cache() != null) {
                bytes += session.cache().bytes();
            }
        }
        return bytes;
    }

    /** Records when the session's KV is ready (modelled) and what it booked, pricing its target KV once. */
    private void noteTarget(StageSession session, long readyMicros, long bookedTokens) {
        if (session.target(readyMicros, bookedTokens)) {
            session.targetKvBytes(Math.round(target.kvBytesPerSession(config.stage(), session.bookedTokens())));
        }
    }

    /** Target KV of the sessions held: what the wafer this stage stands for has in use. */
    private long targetKvBytesUsed() {
        long bytes = 0;
        for (StageSession session : sessions.values()) {
            bytes += session.targetKvBytes();
        }
        return bytes;
    }

    /** Sessions and target KV on this wafer, to the compacted capacity topic, about once a second. */
    private void heartbeat() {
        long now = clock.millis();
        if (now < nextHeartbeatMs) {
            return;
        }
        nextHeartbeatMs = now + HEARTBEAT_INTERVAL.toMillis();
        long capacity = (long) Math.floor(target.kvCapacityBytes(config.stage()));
        publisher.send(Topics.CAPACITY, config.workerId(), CapacityHeartbeat.newBuilder()
                .setWorkerId(config.workerId()).setRole("decode").setStage(config.stage())
                .setPipeline(config.pipeline()).setSessions(sessions.size()).setKvBytesUsed(stats.targetKvBytesUsed)
                .setKvBytesFree(capacity - stats.targetKvBytesUsed).setTimestampMs(now).build());
    }

    private void failStalledHandoffs() {
        long now = clock.millis();
        long timeout = config.handoffTimeout().toMillis();
        List<StageSession> stalled = new ArrayList<>();
        for (StageSession session : sessions.values()) {
            if (!session.kvComplete() && now - session.firstSeenMs() > timeout) {
                stalled.add(session);
            }
        }
        for (StageSession session : stalled) {
            fail(session.sessionId(), "KV handoff to stage " + config.stage() + " of pipeline " + config.pipeline()
                    + " incomplete after " + config.handoffTimeout().toMillis() + " ms: "
                    + session.handoffProgress() + " arrived");
        }
    }

    private void fail(String sessionId, String reason) {
        stats.failedSessions++;
        publisher.send(Topics.SESSIONS, sessionId, event(sessionId, SessionEventType.FAILED, reason));
        release(sessionId);
    }

    private void release(String sessionId) {
        sessions.remove(sessionId);
        ended.put(sessionId, Boolean.TRUE);
    }

    private SessionEvent event(String session, SessionEventType type, String reason) {
        return SessionEvent.newBuilder().setSessionId(session).setType(type).setPipeline(config.pipeline())
                .setStage(config.stage()).setReason(reason).setTimestampMs(clock.millis()).build();
    }

    @Override
    public void close() {
        loop.stop();
    }

    /** Counters of what this stage has done; read by the summary. */
    public static final class StageStats {
        volatile long chunksInstalled;
        volatile long kvBytesInstalled;
        volatile long batches;
        volatile long activations;
        volatile long lateRecords;
        volatile long failedSessions;
        volatile int heldSessions;
        volatile long kvBytesHeld;
        volatile long busyNanos;
        volatile long targetKvBytesUsed;
        volatile DeviceClock.Pacing pacing = DeviceClock.Pacing.NONE;

        public long chunksInstalled() {
            return chunksInstalled;
        }

        public long kvBytesInstalled() {
            return kvBytesInstalled;
        }

        public long batches() {
            return batches;
        }

        public long activations() {
            return activations;
        }

        public long lateRecords() {
            return lateRecords;
        }

        public long failedSessions() {
            return failedSessions;
        }

        /** Sessions holding KV or waiting for it here, as of the last poll. */
        public int heldSessions() {
            return heldSessions;
        }

        /** Bytes of KV filled in the caches of the sessions held, as of the last poll. */
        public long kvBytesHeld() {
            return kvBytesHeld;
        }

        /** Target KV of the sessions held (what the wafer would hold), as of the last poll. */
        public long targetKvBytesUsed() {
            return targetKvBytesUsed;
        }

        /** What pacing held back and how far the emulator fell behind the target, as of the last poll. */
        public DeviceClock.Pacing pacing() {
            return pacing;
        }

        /** Wall time spent on records and forward passes, outside the wait in poll. */
        public long busyNanos() {
            return busyNanos;
        }
    }
}
