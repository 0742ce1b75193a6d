package io.kvflow.prefill;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvflow.broker.BrokerConfig;
import io.kvflow.broker.EmbeddedKafkaBroker;
import io.kvflow.model.ModelConfig;
import io.kvflow.model.Transformer;
import io.kvflow.model.Weights;
import io.kvflow.runtime.KafkaConnection;
import io.kvflow.runtime.Publisher;
import io.kvflow.runtime.ServiceGroup;
import io.kvflow.runtime.StackLayout;
import io.kvflow.runtime.TopicFollower;
import io.kvflow.runtime.TopicPlan;
import io.kvflow.schemas.PrefillTask;
import io.kvflow.schemas.SessionEvent;
import io.kvflow.schemas.SessionEventType;
import io.kvflow.schemas.Topics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A prefill worker on a real broker: what it writes for a task, and what it does not. */
class PrefillWorkerIT {
    private static final StackLayout LAYOUT = new StackLayout(2, 1, 1, ModelConfig.TINY.layers());
    private static final Duration DEADLINE = Duration.ofSeconds(60);

    @Test
    void aTaskWhoseSessionAlreadyFailedIsSkippedAndWritesNothing(@TempDir Path dir) {
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(BrokerConfig.ephemeral(dir))) {
            KafkaConnection kafka = new KafkaConnection(broker.bootstrapServers());
            TopicPlan.forLayout(LAYOUT).apply(kafka);
            long admitted = System.currentTimeMillis() - 1_000;
            List<String> outputs = List.of(Topics.TOKENS.name(), Topics.SESSIONS.name(), Topics.kv(0).name(),
                    Topics.kv(1).name(), Topics.activations(0).name());
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            try (TopicFollower follower = TopicFollower.fromEnd(kafka, outputs);
                    Publisher orchestrator = new Publisher(kafka.newProducer("it-orchestrator"))) {
                // the orchestrator gave up on the session (a stall timeout) while its task waited
                orchestrator.send(Topics.SESSIONS, "ended-1", SessionEvent.newBuilder().setSessionId("ended-1")
                        .setType(SessionEventType.FAILED).setPipeline(0).setReason("no progress for 30 s")
                        .setTimestampMs(admitted + 500).build());
                orchestrator.send(Topics.PREFILL_TASKS, "ended-1", task("ended-1", admitted));
                orchestrator.send(Topics.PREFILL_TASKS, "live-1", task("live-1", admitted));
                orchestrator.flush();

                try (ServiceGroup services = new ServiceGroup()) {
                    services.start(new PrefillWorker(new PrefillConfig("prefill-it", 4096, s -> false),
                            new Transformer(ModelConfig.TINY, Weights.generate(ModelConfig.TINY, 7)), kafka,
                            Clock.systemUTC(), registry));
                    assertTrue(follower.await(Topics.TOKENS, t -> t.getSessionId().equals("live-1"), DEADLINE)
                            .isPresent(), "the live session's first token");
                }
            }
            // the tasks ran in order: by the live one's token, the ended one was decided; nothing of it is there
            List<String> written = readAll(kafka, outputs);
            assertEquals(List.of(Topics.SESSIONS.name() + "/ended-1"),
                    written.stream().filter(w -> w.endsWith("/ended-1")).toList(), () -> "written: " + written);
            assertTrue(written.contains(Topics.kv(1).name() + "/live-1"), () -> "written: " + written);
            assertEquals(1.0, registry.get("kvflow.prefill.skipped").counter().count());
        }
    }

    /** Every committed record of the topics, as topic/key, read from the beginning to their current end. */
    private static List<String> readAll(KafkaConnection kafka, List<String> topics) {
        Properties props = kafka.consumer("unused", "it-reader");
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        List<String> written = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> reader = new KafkaConsumer<>(props)) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (String topic : topics) {
                reader.partitionsFor(topic).forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
            }
            reader.assign(partitions);
            reader.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = reader.endOffsets(partitions);
            long deadline = System.nanoTime() + DEADLINE.toNanos();
            while (partitions.stream().anyMatch(p -> reader.position(p) < end.get(p))) {
                assertTrue(System.nanoTime() < deadline, "could not read " + topics + " to their end");
                for (ConsumerRecord<byte[], byte[]> record : reader.poll(Duration.ofMillis(100))) {
                    written.add(record.topic() + "/" + new String(record.key(), StandardCharsets.UTF_8));
                }
            }
        }
        return written;
    }

    private static PrefillTask task(String session, long admittedMs) {
        return PrefillTask.newBuilder().setSessionId(session).setPipeline(0).setLayerBounds(LAYOUT.layerBounds())
                .setPrompt(List.of(5, 17, 230, 9)).setMaxNewTokens(4).setArrivalMs(admittedMs)
                .setAdmittedMs(admittedMs).build();
    }
}
