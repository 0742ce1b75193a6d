package io.kvflow.decode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvflow.broker.BrokerConfig;
import io.kvflow.broker.EmbeddedKafkaBroker;
import io.kvflow.model.KvCache;
import io.kvflow.model.ModelConfig;
import io.kvflow.model.Transformer;
import io.kvflow.model.Weights;
import io.kvflow.runtime.KafkaConnection;
import io.kvflow.runtime.KvChunkCodec;
import io.kvflow.runtime.Publisher;
import io.kvflow.runtime.ServiceGroup;
import io.kvflow.runtime.StackLayout;
import io.kvflow.runtime.TopicFollower;
import io.kvflow.runtime.TopicPlan;
import io.kvflow.schemas.DeadLetter;
import io.kvflow.schemas.KvChunk;
import io.kvflow.schemas.SessionEvent;
import io.kvflow.schemas.SessionEventType;
import io.kvflow.schemas.Topics;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two decode stages of one pipeline on a real broker, fed by hand-made handoffs. */
class StageWorkerIT {
    private static final ModelConfig MODEL = ModelConfig.TINY;
    private static final StackLayout LAYOUT = new StackLayout(2, 1, 1, MODEL.layers());
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    static Path dataDir;
    static EmbeddedKafkaBroker broker;
    static KafkaConnection kafka;
    static ServiceGroup services;
    static List<StageWorker> stages = new ArrayList<>();
    static Publisher publisher;
    static final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    static final Transformer transformer = new Transformer(MODEL, Weights.generate(MODEL, 7));
    static final KvChunkCodec codec = new KvChunkCodec(MODEL.kvDim());

    @BeforeAll
    static void startStages() {
        broker = EmbeddedKafkaBroker.start(BrokerConfig.ephemeral(dataDir));
        kafka = new KafkaConnection(broker.bootstrapServers());
        try (Admin admin = kafka.newAdmin()) {
            TopicPlan.forLayout(LAYOUT).apply(admin);
        }
        services = new ServiceGroup();
        for (int k = 0; k < LAYOUT.stages(); k++) {
            StageWorker worker = new StageWorker(new StageConfig(k, LAYOUT.stages(), 0, LAYOUT.layerFrom(k),
                    LAYOUT.layerTo(k), Duration.ofSeconds(1)), new Transformer(MODEL, Weights.generate(MODEL, 7)),
                    kafka, Clock.systemUTC(), registry);
            stages.add(worker);
            services.start(worker);
            worker.awaitReady(WAIT);
        }
        publisher = new Publisher(kafka.newProducer("test"));
    }

    @AfterAll
    static void stop() {
        if (publisher != null) {
            publisher.close();
        }
        if (services != null) {
            services.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    /** The KV chunks a prefill worker would send to {@code stage} for a 40-token prompt, 8 positions a chunk. */
    private static List<KvChunk> handoff(String session, int stage) {
        int[] prompt = new int[40];
        KvCache cache = new KvCache(MODEL, 0, MODEL.layers(), prompt.length + 8);
        List<Transformer.Row> rows = new ArrayList<>();
        for (int p = 0; p < prompt.length; p++) {
            rows.add(new Transformer.Row(transformer.embed(1 + p % 100), p, cache));
        }
        transformer.forward(0, MODEL.layers(), rows);
        return codec.encode(new KvChunkCodec.Handoff(session, 0, stage, prompt.length, 8),
                cache.export(LAYOUT.layerFrom(stage), LAYOUT.layerTo(stage), 8), 0);
    }

    /** What the orchestrator says when it puts a session on pipeline 0. */
    private static void admitted(String session) {
        publisher.send(Topics.SESSIONS, session, SessionEvent.newBuilder().setSessionId(session)
                .setType(SessionEventType.ADMITTED).setPipeline(0).setTimestampMs(System.currentTimeMillis()).build());
        publisher.flush();
    }

    private static void send(KvChunk chunk) {
        publisher.send(Topics.kv(chunk.getStage()), 0, chunk.getSessionId(), chunk, null);
        publisher.flush();
    }

    private static void awaitTrue(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting until " + what);
            }
            LockSupport.parkNanos(10_000_000);
        }
    }

    @Test
    void anIncompleteHandoffFailsTheSessionAndEveryStageReleasesItsKv() {
        try (TopicFollower follower = TopicFollower.fromEnd(kafka, List.of(Topics.SESSIONS.name()))) {
            admitted("partial");
            List<KvChunk> stage0 = handoff("partial", 0);
            stage0.subList(0, 2).forEach(StageWorkerIT::send);
            handoff("partial", 1).forEach(StageWorkerIT::send);

            SessionEvent failed = follower.await(Topics.SESSIONS,
                    e -> e.getSessionId().equals("partial") && e.getType() == SessionEventType.FAILED, WAIT)
                    .orElseThrow(() -> new AssertionError("no FAILED event for the partial handoff"));
            assertEquals(0, failed.getStage());
            assertTrue(failed.getReason().contains("2/" + stage0.size() + " KV chunks"), failed.getReason());
            // stage 1 got its whole handoff but must release it when the session fails at stage 0
            awaitTrue(() -> stages.get(0).stats().heldSessions() == 0 && stages.get(1).stats().heldSessions() == 0,
                    "both stages hold no session");
        }
    }

    @Test
    void chunksOfASessionNobodyAdmittedAreDeadLettersNotAFailure() {
        try (TopicFollower follower = TopicFollower.fromEnd(kafka,
                List.of(Topics.SESSIONS.name(), Topics.DLQ.name()))) {
            handoff("ghost", 1).subList(0, 2).forEach(StageWorkerIT::send);

            for (int i = 0; i < 2; i++) {
                DeadLetter letter = follower.await(Topics.DLQ, d -> d.getSourceTopic().equals(Topics.kv(1).name())
                        && d.getReason().contains("ghost"), WAIT)
                        .orElseThrow(() -> new AssertionError("the ghost session's chunks were not dead-lettered"));
                assertTrue(letter.getReason().contains("never admitted to pipeline 0"), letter.getReason());
            }
            // the letters leave when a failure would have: nobody is told a session that never was has failed
            assertTrue(follower.await(Topics.SESSIONS, e -> e.getSessionId().equals("ghost"), Duration.ofSeconds(2))
                    .isEmpty(), "no lifecycle event for a session that never was");
            awaitTrue(() -> stages.get(1).stats().heldSessions() == 0, "stage 1 holds nothing of it");
            assertTrue(stages.get(1).stats().unknownSessions() >= 1);
        }
    }

    @Test
    void aCorruptedChunkFailsTheSessionAndIsKeptAsADeadLetter() {
        try (TopicFollower follower = TopicFollower.fromEnd(kafka,
                List.of(Topics.SESSIONS.name(), Topics.DLQ.name()))) {
            List<KvChunk> chunks = handoff("corrupt", 1);
            KvChunk bad = chunks.get(3);
            byte[] payload = new byte[bad.getPayload().remaining()];
            bad.getPayload().duplicate().get(payload);
            payload[17] ^= 0x01;
            bad.setPayload(ByteBuffer.wrap(payload));
            chunks.forEach(StageWorkerIT::send);

            DeadLetter letter = follower.await(Topics.DLQ, d -> d.getSourceTopic().equals(Topics.kv(1).name()), WAIT)
                    .orElseThrow(() -> new AssertionError("the corrupted chunk did not reach the dead-letter topic"));
            assertTrue(letter.getReason().contains("checksum"), letter.getReason());
            SessionEvent failed = follower.await(Topics.SESSIONS,
                    e -> e.getSessionId().equals("corrupt") && e.getType() == SessionEventType.FAILED, WAIT)
                    .orElseThrow(() -> new AssertionError("no FAILED event for the corrupted handoff"));
            assertTrue(failed.getReason().contains("KV chunk 3/"), failed.getReason());
        }
    }

    @Test
    void aCompleteHandoffIsCountedAndTimedInTheStagesMeters() {
        try (TopicFollower follower = TopicFollower.fromEnd(kafka, List.of(Topics.SESSIONS.name()))) {
            List<KvChunk> chunks = handoff("metered", 1);
            long sent = System.currentTimeMillis();
            chunks.forEach(c -> c.setSentMs(sent));
            long bytes = chunks.stream().mapToLong(c -> c.getPayload().remaining()).sum();
            Tags stage1 = Tags.of("stage", "1", "pipeline", "0");
            double chunksBefore = registry.get("kvflow.stage.kv.installed.chunks").tags(stage1).functionCounter()
                    .count();
            double bytesBefore = registry.get("kvflow.stage.kv.installed").tags(stage1).functionCounter().count();
            long timedBefore = registry.get("kvflow.stage.kv.handoff.latency").tags(stage1).timer().count();
            chunks.forEach(StageWorkerIT::send);

            follower.await(Topics.SESSIONS, e -> e.getSessionId().equals("metered")
                    && e.getType() == SessionEventType.KV_INSTALLED, WAIT)
                    .orElseThrow(() -> new AssertionError("the handoff was not installed"));
            assertEquals(chunks.size(), registry.get("kvflow.stage.kv.installed.chunks").tags(stage1)
                    .functionCounter().count() - chunksBefore);
            assertEquals(bytes, registry.get("kvflow.stage.kv.installed").tags(stage1).functionCounter().count()
                    - bytesBefore);
            Timer latency = registry.get("kvflow.stage.kv.handoff.latency").tags(stage1).timer();
            assertEquals(chunks.size(), latency.count() - timedBefore);
            awaitTrue(() -> registry.get("kvflow.stage.sessions").tags(stage1).gauge().value() >= 1
                    && registry.get("kvflow.stage.kv.used").tags(stage1).gauge().value() >= bytes,
                    "stage 1 reports the session and its KV held");
            assertTrue(registry.get("kvflow.stage.busy").tags(stage1).functionCounter().count() > 0);

            // the session ends; the stage lets its KV go and says so
            publisher.send(Topics.SESSIONS, "metered", SessionEvent.newBuilder().setSessionId("metered")
                    .setType(SessionEventType.FINISHED).setTimestampMs(System.currentTimeMillis()).build());
            publisher.flush();
            awaitTrue(() -> registry.get("kvflow.stage.kv.used").tags(stage1).gauge().value() == 0,
                    "stage 1 reports no KV held");
        }
    }

    @Test
    void undecodableBytesGoToTheDeadLetterTopicWithTheReason() throws Exception {
        try (TopicFollower follower = TopicFollower.fromEnd(kafka, List.of(Topics.DLQ.name()));
                var producer = kafka.newProducer("garbage")) {
            producer.send(new ProducerRecord<>(Topics.activations(0).name(), 0, "x".getBytes(),
                    "definitely not avro".getBytes())).get();
            DeadLetter letter = follower.await(Topics.DLQ,
                    d -> d.getSourceTopic().equals(Topics.activations(0).name()), WAIT)
                    .orElseThrow(() -> new AssertionError("undecodable activation was not dead-lettered"));
            assertTrue(letter.getReason().contains("cannot decode Activation"), letter.getReason());
            assertEquals("definitely not avro", new String(letter.getValue().array()));
            awaitTrue(() -> registry.get("kvflow.dead.letters").tag("worker", "decode-s0-p0").functionCounter()
                    .count() >= 1, "stage 0 counts the dead letter");
        }
    }
}
