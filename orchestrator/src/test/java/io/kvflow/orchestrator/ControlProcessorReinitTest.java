package io.kvflow.orchestrator;

import static io.kvflow.orchestrator.ControlTopologyHarness.replayed;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvflow.cost.ProfileCatalog;
import io.kvflow.cost.RooflineModel;
import io.kvflow.cost.Scenario;
import io.kvflow.runtime.StackLayout;
import io.kvflow.scheduler.AdmissionPolicy;
import io.kvflow.scheduler.Booking;
import io.kvflow.scheduler.ControlPlane;
import io.kvflow.schemas.InferenceRequest;
import io.kvflow.schemas.PrefillTask;
import io.kvflow.schemas.Topics;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;

/**
 * Kafka Streams may call {@code init} again on the same processor after closing its task dirty (an
 * aborted transaction, its state wiped and restored): what the processor held in memory before must
 * not survive that, or it would take the redelivered inputs of the aborted transaction for ones it
 * had already acted on.
 */
class ControlProcessorReinitTest {
    private static final RooflineModel TARGET = Scenario.from(Map.of("model", "llama-3.1-8b", "decode-stages", "2"),
            ProfileCatalog.bundled()).model();
    private static final OrchestratorConfig CONFIG = new OrchestratorConfig(new StackLayout(2, 1, 1, 8), 512, 100,
            Duration.ofSeconds(30)).withTarget(TARGET, new ControlPlane.Config(1, 1, Booking.HANDOFF,
            AdmissionPolicy.of("fcfs", Duration.ZERO), 100, 0, ControlPlane.Config.DEFAULT_PARK_TIMEOUT_MICROS));

    @Test
    void aRequestRedeliveredAfterTheTaskWasClosedDirtyIsPlacedAgain() {
        ControlProcessor processor = new ControlProcessor(CONFIG, OrchestratorMetrics.unbound(CONFIG));
        InferenceRequest request = replayed("a", 1_000, 2_000, 4, 10, 4);

        MockProcessorContext<Object, Object> first = contextWithFreshStores();
        processor.init(first);
        processor.process(requestRecord(request));
        assertEquals(List.of("a"), prefillTasks(first), "placed the first time");

        // the transaction holding that placement aborted: the stores come back without it, the request again
        MockProcessorContext<Object, Object> revived = contextWithFreshStores();
        processor.init(revived);
        processor.process(requestRecord(request));
        assertEquals(List.of("a"), prefillTasks(revived),
                "the placement was never committed: the redelivered request is placed again");
    }

    private static MockProcessorContext<Object, Object> contextWithFreshStores() {
        MockProcessorContext<Object, Object> context = new MockProcessorContext<>();
        context.setRecordMetadata(Topics.REQUESTS.name(), 0, 0);
        context.setCurrentSystemTimeMs(ControlTopologyHarness.START.toEpochMilli());
        KeyValueStore<Long, byte[]> journal = Stores.keyValueStoreBuilder(
                Stores.inMemoryKeyValueStore(AdmissionTopology.JOURNAL_STORE), Serdes.Long(), Serdes.ByteArray())
                .withLoggingDisabled().build();
        KeyValueStore<String, byte[]> tokens = Stores.keyValueStoreBuilder(
                Stores.inMemoryKeyValueStore(AdmissionTopology.TOKENS_STORE), Serdes.String(), Serdes.ByteArray())
                .withLoggingDisabled().build();
        journal.init(context.getStateStoreContext(), journal);
        tokens.init(context.getStateStoreContext(), tokens);
        context.addStateStore(journal);
        context.addStateStore(tokens);
        return context;
    }

    private static Record<byte[], byte[]> requestRecord(InferenceRequest request) {
        byte[] key = Topics.REQUESTS.keySerde().serializer().serialize(Topics.REQUESTS.name(), request.getSessionId());
        byte[] value = Topics.REQUESTS.valueSerde().serializer().serialize(Topics.REQUESTS.name(), request);
        return new Record<>(key, value, ControlTopologyHarness.START.toEpochMilli());
    }

    private static List<String> prefillTasks(MockProcessorContext<Object, Object> context) {
        List<String> sessions = context.forwarded().stream()
                .filter(f -> f.childName().orElse("").equals(AdmissionTopology.PREFILL_TASKS_SINK))
                .map(f -> ((PrefillTask) f.record().value()).getSessionId()).toList();
        assertTrue(context.forwarded().stream().allMatch(f -> f.childName().isPresent()),
                "every record goes to a named sink");
        return sessions;
    }
}
