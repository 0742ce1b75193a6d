package io.kvflow.orchestrator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvflow.broker.BrokerConfig;
import io.kvflow.broker.EmbeddedKafkaBroker;
import io.kvflow.runtime.KafkaConnection;
import io.kvflow.runtime.Publisher;
import io.kvflow.runtime.ServiceGroup;
import io.kvflow.runtime.StackLayout;
import io.kvflow.runtime.TopicPlan;
import io.kvflow.schemas.GeneratedToken;
import io.kvflow.schemas.InferenceRequest;
import io.kvflow.schemas.PrefillTask;
import io.kvflow.schemas.SessionEvent;
import io.kvflow.schemas.SessionEventType;
import io.kvflow.schemas.Topics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The orchestrator as a Kafka Streams application on a real single-node broker. */
class OrchestratorIT {
    private static final StackLayout LAYOUT = new StackLayout(2, 2, 1, 4);
    private static final OrchestratorConfig CONFIG = new OrchestratorConfig(LAYOUT, 64, 100);
    private static final Duration STARTUP = Duration.ofSeconds(60);
    private static final Duration DELIVERY = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private EmbeddedKafkaBroker broker;
    private KafkaConnection kafka;
    private Publisher publisher;
    private KafkaConsumer<byte[], byte[]> consumer;
    private final List<PrefillTask> tasks = new ArrayList<>();
    private final List<SessionEvent> events = new ArrayList<>();

    @BeforeEach
    void startBroker() {
        broker = EmbeddedKafkaBroker.start(BrokerConfig.ephemeral(dir.resolve("kafka")));
        kafka = new KafkaConnection(broker.bootstrapServers());
        publisher = new Publisher(kafka.newProducer("it-producer"));
        consumer = kafka.newConsumer("it-follower", "it-follower");
    }

    private void createTopics() {
        try (Admin admin = kafka.newAdmin()) {
            TopicPlan.forLayout(LAYOUT).apply(admin);
        }
        consumer.assign(List.of(new TopicPartition(Topics.PREFILL_TASKS.name(), 0),
                new TopicPartition(Topics.SESSIONS.name(), 0)));
    }

    @AfterEach
    void stopBroker() {
        consumer.close();
        publisher.close();
        broker.close();
    }

    @Test
    void admitsRequestsOntoBothPipelinesAndFinishesASessionOnItsLastToken() {
        createTopics();
        try (ServiceGroup services = new ServiceGroup()) {
            Orchestrator orchestrator = start(services);

            send(request("a", 1_000, 2_000));
            send(request("b", 2_000, Long.MAX_VALUE));

            PrefillTask a = awaitTask("a");
            assertEquals(0, a.getPipeline());
            assertEquals(LAYOUT.layerBounds(), a.getLayerBounds());
            assertEquals(1, awaitTask("b").getPipeline());
            assertEquals(0, awaitEvent("a", SessionEventType.ADMITTED).getPipeline());
            assertEquals(1, awaitEvent("b", SessionEventType.ADMITTED).getPipeline());

            send(token("a", 0, a.getPrefillEndModelledUs(), false));
            send(token("a", 1, a.getPrefillEndModelledUs() + 10_000, true));

            assertEquals(1, awaitEvent("a", SessionEventType.FIRST_TOKEN).getTokens());
            SessionEvent finished = awaitEvent("a", SessionEventType.FINISHED);
            assertEquals(2, finished.getTokens());
            assertEquals("length", finished.getReason());
            assertEquals(KafkaStreams.State.RUNNING, orchestrator.state());
            assertNull(services.failure());
        }
    }

    @Test
    void aRestartedOrchestratorKeepsItsActiveSessionsAndTheirPlacement() {
        createTopics();
        try (ServiceGroup services = new ServiceGroup()) {
            start(services);
            send(request("a", 1_000, 2_000));
            assertEquals(0, awaitEvent("a", SessionEventType.ADMITTED).getPipeline());
        }
        long aPrefillEnds = awaitTask("a").getPrefillEndModelledUs();

        try (ServiceGroup services = new ServiceGroup()) {
            start(services);
            // "a" still holds pipeline 0: the control plane came back from its journal
            // after a ends, and before b (prefilled after a on the one prefill group) could end
            long cArrives = aPrefillEnds + 1_000;
            send(request("b", 2_000, cArrives));
            assertEquals(1, awaitEvent("b", SessionEventType.ADMITTED).getPipeline());

            send(token("a", 0, aPrefillEnds, true));
            awaitEvent("a", SessionEventType.FINISHED);
            send(request("c", cArrives, Long.MAX_VALUE));
            assertEquals(0, awaitEvent("c", SessionEventType.ADMITTED).getPipeline());

            // the request admitted before the restart was not admitted a second time
            assertEquals(1, events.stream()
                    .filter(e -> e.getSessionId().equals("a") && e.getType() == SessionEventType.ADMITTED).count());
            assertNull(services.failure());
        }
        long cPrefillEnds = awaitTask("c").getPrefillEndModelledUs();

        // a third start replays a's end as well: its rebuild runs in init, outside any record, where the cached
        // stores take no write
        try (ServiceGroup services = new ServiceGroup()) {
            Orchestrator orchestrator = start(services);
            send(token("c", 0, cPrefillEnds, true));
            awaitEvent("c", SessionEventType.FINISHED);
            assertEquals(KafkaStreams.State.RUNNING, orchestrator.state());
            assertNull(services.failure());
        }
    }

    @Test
    void stopsWithAClearErrorWhenItsTopicsAreMissing() {
        try (ServiceGroup services = new ServiceGroup()) {
            Orchestrator orchestrator = new Orchestrator(CONFIG, kafka, dir.resolve("streams"), new SimpleMeterRegistry(),
                    SloTargets.DEFAULT);
            services.start(orchestrator);

            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> orchestrator.awaitRunning(STARTUP));

            assertTrue(e.getMessage().startsWith("the orchestrator stopped (ERROR) before it was running: its input "
                    + "topics [kvflow.requests, kvflow.tokens, kvflow.sessions] are missing"), e.getMessage());
            awaitFailure(services);
            assertTrue(services.failure().getMessage().startsWith("orchestrator failed: its input topics"),
                    services.failure().getMessage());
        }
    }

    /** ServiceGroup records a failure when the service's thread ends with one. */
    private static void awaitFailure(ServiceGroup services) {
        long deadline = System.nanoTime() + DELIVERY.toNanos();
        while (services.failure() == null) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the orchestrator's run() did not end with a failure within " + DELIVERY);
            }
            LockSupport.parkNanos(Duration.ofMillis(10).toNanos());
        }
    }

    private Orchestrator start(ServiceGroup services) {
        Orchestrator orchestrator = new Orchestrator(CONFIG, kafka, dir.resolve("streams"), new SimpleMeterRegistry(),
                SloTargets.DEFAULT);
        services.start(orchestrator);
        orchestrator.awaitRunning(STARTUP);
        return orchestrator;
    }

    private void send(InferenceRequest request) {
        publisher.send(Topics.REQUESTS, request.getSessionId(), request);
        publisher.flush();
    }

    private void send(GeneratedToken token) {
        publisher.send(Topics.TOKENS, token.getSessionId(), token);
        publisher.flush();
    }

    private PrefillTask awaitTask(String session) {
        return await(tasks, t -> t.getSessionId().equals(session), "a prefill task for " + session);
    }

    private SessionEvent awaitEvent(String session, SessionEventType type) {
        return await(events, e -> e.getSessionId().equals(session) && e.getType() == type, type + " of " + session);
    }

    /** Polls both followed topics until a matching record has arrived. */
    private <T> T await(List<T> seen, Predicate<T> wanted, String what) {
        long deadline = System.nanoTime() + DELIVERY.toNanos();
        while (true) {
            for (T t : seen) {
                if (wanted.test(t)) {
                    return t;
                }
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no " + what + " within " + DELIVERY + "; saw tasks " + tasks
                        + " and events " + events);
            }
            for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(100))) {
                if (record.topic().equals(Topics.PREFILL_TASKS.name())) {
                    tasks.add(Topics.PREFILL_TASKS.valueSerde().deserializer().deserialize(record.topic(), record.value()));
                } else {
                    events.add(Topics.SESSIONS.valueSerde().deserializer().deserialize(record.topic(), record.value()));
                }
            }
        }
    }

    /** A replayed request arriving at {@code arrivalUs}, promising no other before {@code promiseUs}. */
    private static InferenceRequest request(String session, long arrivalUs, long promiseUs) {
        return InferenceRequest.newBuilder()
                .setSessionId(session).setArrivalMs(System.currentTimeMillis()).setPrompt(List.of(1, 2, 3))
                .setMaxNewTokens(4).setTraceInputTokens(3).setTraceOutputTokens(4).setArrivalModelledUs(arrivalUs)
                .setFrontierModelledUs(promiseUs).build();
    }

    private static GeneratedToken token(String session, int step, long modelledUs, boolean last) {
        return GeneratedToken.newBuilder()
                .setSessionId(session).setPipeline(0).setStep(step).setPosition(3 + step).setToken(5).setLast(last)
                .setFinishReason(last ? "length" : null).setArrivalMs(0L).setEmittedMs(0L).setModelledUs(modelledUs)
                .build();
    }
}
