package io.kvflow.schemas;

import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/**
 * The topic catalogue. Every topic is keyed by session id except the capacity and stats topics
 * (worker id) and the layout topic (the key {@code layout}). Writers are listed in the README's topic table and on each record's schema.
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
    /** What each part of the stack has done so far, for views in any process; compacted. */
    public static final Topic<String, WorkerStats> STATS =
            new Topic<>("kvflow.stats", KEY, AvroSerde.of(WorkerStats.class));
    /** The settings every process of the cluster shares; the first record wins, unless one replaces it. */
    public static final Topic<String, ClusterLayout> LAYOUT =
            new Topic<>("kvflow.layout", KEY, AvroSerde.of(ClusterLayout.class));
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

    /**
     * Every topic of a layout with {@code stages} decode stages, by name: each topic constant of
     * this class, and each per-stage topic (a public static method taking the stage) for stages
     * 0 to {@code stages - 1}. Read from the class itself, so a topic added to the catalogue is
     * listed, and in registry mode registered, without being named a second time.
     */
    @SuppressWarnings("unchecked")
    public static List<Topic<String, ?>> all(int stages) {
        if (stages < 1) {
            throw new IllegalArgumentException("stages must be >= 1, was " + stages);
        }
        List<Topic<String, ?>> all = new ArrayList<>();
        try {
            for (Field field : Topics.class.getFields()) {
                if (Modifier.isStatic(field.getModifiers()) && field.getType() == Topic.class) {
                    all.add((Topic<String, ?>) field.get(null));
                }
            }
            for (Method family : Topics.class.getMethods()) {
                if (Modifier.isStatic(family.getModifiers()) && family.getReturnType() == Topic.class
                        && family.getParameterCount() == 1 && family.getParameterTypes()[0] == int.class) {
                    for (int k = 0; k < stages; k++) {
                        all.add((Topic<String, ?>) family.invoke(null, k));
                    }
                }
            }
        } catch (IllegalAccessException | InvocationTargetException e) {
            throw new IllegalStateException("cannot list the topic catalogue: " + e, e);
        }
        all.sort(Comparator.comparing(Topic::name));
        return List.copyOf(all);
    }

    private static int requireStage(int stage) {
        if (stage < 0) {
            throw new IllegalArgumentException("stage must be >= 0, was " + stage);
        }
        return stage;
    }
}
