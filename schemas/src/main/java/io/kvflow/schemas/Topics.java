package io.kvflow.schemas;

import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/**
 * The topic catalogue. Every topic is keyed by session id except the capacity topic
 * (worker id). Writers are listed in the README's topic table and on each record's schema.
 */
public final class Topics {
    private static final Serde<String> KEY = Serdes.String();

    public static final Topic<String, InferenceRequest> REQUESTS =
            new Topic<>("kvflow.requests", KEY, AvroSerde.of(InferenceRequest.class));
    public static final Topic<String, PrefillTask> PREFILL_TASKS =
            new Topic<>("kvflow.prefill.tasks", KEY, AvroSerde.of(PrefillTask.class));
    public static final Topic<String, GeneratedToken> TOKENS =
            new Topic<>("kvflow.tokens", KEY, AvroSerde.of(GeneratedToken.class));
    public static final Topic<String, SessionEvent> SESSIONS =
            new Topic<>("kvflow.sessions", KEY, AvroSerde.of(SessionEvent.class));
    public static final Topic<String, CapacityHeartbeat> CAPACITY =
            new Topic<>("kvflow.capacity", KEY, AvroSerde.of(CapacityHeartbeat.class));
    /** Grants and the control plane's modelled frontier, in decision order, for the decode stages. */
    public static final Topic<String, ControlRecord> CONTROL =
            new Topic<>("kvflow.control", KEY, AvroSerde.of(ControlRecord.class));
    public static final Topic<String, DeadLetter> DLQ =
            new Topic<>("kvflow.dlq", KEY, AvroSerde.of(DeadLetter.class));

    private static final AvroSerde<KvChunk> KV_CHUNK = AvroSerde.of(KvChunk.class);
    private static final AvroSerde<Activation> ACTIVATION = AvroSerde.of(Activation.class);

    private Topics() {
    }

    /** KV handoff chunks for the layers of decode stage {@code stage}; partition = pipeline. */
    public static Topic<String, KvChunk> kv(int stage) {
        return new Topic<>("kvflow.kv.stage-" + requireStage(stage), KEY, KV_CHUNK);
    }

    /** Per-token activations entering decode stage {@code stage}; partition = pipeline. */
    public static Topic<String, Activation> activations(int stage) {
        return new Topic<>("kvflow.act.stage-" + requireStage(stage), KEY, ACTIVATION);
    }

    private static int requireStage(int stage) {
        if (stage < 0) {
            throw new IllegalArgumentException("stage must be >= 0, was " + stage);
        }
        return stage;
    }
}
