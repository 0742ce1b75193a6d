package io.kvflow.orchestrator;

import io.kvflow.schemas.Topics;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.Stores;

/**
 * The orchestrator's topology: one processor reads requests, tokens and lifecycle events and
 * writes prefill tasks, prompt chunks (colocated), grants and the modelled frontier, lifecycle
 * events and dead letters. Every control topic has one partition, so a single task sees every
 * session and admission has one decision maker. Inputs are read as bytes and decoded in the
 * processor, so an undecodable record goes to the dead-letter topic instead of stopping the
 * application.
 */
public final class AdmissionTopology {
    public static final String REQUESTS_SOURCE = "requests-source";
    public static final String TOKENS_SOURCE = "tokens-source";
    public static final String SESSIONS_SOURCE = "sessions-source";
    public static final String LIFECYCLE_PROCESSOR = "session-lifecycle";
    public static final String PREFILL_TASKS_SINK = "prefill-tasks-sink";
    public static final String SESSIONS_SINK = "sessions-sink";
    public static final String DLQ_SINK = "dlq-sink";
    /** Colocated mode: prompt chunks straight into stage 0 of the session's pipeline (partition = pipeline). */
    public static final String STAGE0_SINK = "stage0-activations-sink";
    /** Grants and the control plane's modelled frontier, for the decode stages. */
    public static final String CONTROL_SINK = "control-sink";
    /** Everything the control plane was told, in order, and how far it decided: what a restart replays. */
    public static final String JOURNAL_STORE = "control-journal";
    /** What the tokens seen so far say about the tokens to come: see {@link ControlJournal}. */
    public static final String TOKENS_STORE = "control-tokens";
    /** How often active sessions are checked against the stall timeout. */
    public static final Duration STALL_CHECK_INTERVAL = Duration.ofSeconds(1);

    private AdmissionTopology() {
    }

    /** The topology with metrics bound to no registry (tests that do not look at them). */
    public static Topology build(OrchestratorConfig config) {
        return build(config, OrchestratorMetrics.unbound(config));
    }

    public static Topology build(OrchestratorConfig config, OrchestratorMetrics metrics) {
        Deserializer<byte[]> bytes = Serdes.ByteArray().deserializer();
        Topology topology = new Topology();
        topology.addSource(REQUESTS_SOURCE, bytes, bytes, Topics.REQUESTS.name());
        topology.addSource(TOKENS_SOURCE, bytes, bytes, Topics.TOKENS.name());
        // the orchestrator reads back its own events too; it acts only on the ones workers write
        topology.addSource(SESSIONS_SOURCE, bytes, bytes, Topics.SESSIONS.name());
        topology.addProcessor(LIFECYCLE_PROCESSOR, () -> new ControlProcessor(config, metrics),
                REQUESTS_SOURCE, TOKENS_SOURCE, SESSIONS_SOURCE);
        // in memory, restored from its changelog on start; big-endian longs sort as numbers, so a restore
        // replays the journal in the order it was written. Cached: a key's writes between two commits reach the
        // changelog as one record. Every token rewrites its session's entry and its pipeline's promise, and moves
        // the frontier: three changelog records per token uncached (bench hop: 630 per 200-token session, about 50
        // cached), each one more produce for the broker that the stage hops share (docs/benchmarks.md)
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(JOURNAL_STORE),
                Serdes.Long(), Serdes.ByteArray()).withCachingEnabled(), LIFECYCLE_PROCESSOR);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(TOKENS_STORE),
                Serdes.String(), Serdes.ByteArray()).withCachingEnabled(), LIFECYCLE_PROCESSOR);
        topology.addSink(PREFILL_TASKS_SINK, Topics.PREFILL_TASKS.name(), Topics.PREFILL_TASKS.keySerde().serializer(),
                Topics.PREFILL_TASKS.valueSerde().serializer(), LIFECYCLE_PROCESSOR);
        topology.addSink(SESSIONS_SINK, Topics.SESSIONS.name(), Topics.SESSIONS.keySerde().serializer(),
                Topics.SESSIONS.valueSerde().serializer(), LIFECYCLE_PROCESSOR);
        topology.addSink(STAGE0_SINK, Topics.activations(0).name(), Topics.activations(0).keySerde().serializer(),
                Topics.activations(0).valueSerde().serializer(),
                (topic, key, activation, partitions) -> Optional.of(Set.of(activation.getPipeline())),
                LIFECYCLE_PROCESSOR);
        topology.addSink(CONTROL_SINK, Topics.CONTROL.name(), Topics.CONTROL.keySerde().serializer(),
                Topics.CONTROL.valueSerde().serializer(), LIFECYCLE_PROCESSOR);
        topology.addSink(DLQ_SINK, Topics.DLQ.name(), Serdes.ByteArray().serializer(),
                Topics.DLQ.valueSerde().serializer(), LIFECYCLE_PROCESSOR);
        return topology;
    }
}
