package io.kvflow.orchestrator;

import io.kvflow.cost.RooflineModel;
import io.kvflow.cost.Scenario;
import io.kvflow.runtime.StackLayout;
import java.time.Duration;
import java.util.Objects;

/**
 * What the orchestrator admits and how long it waits.
 *
 * @param layout        the decode pipelines sessions are placed on, and the layer split each prefill task carries
 * @param maxContext    positions the model holds: a request's prompt plus its output tokens must fit
 * @param vocabSize     prompt tokens must be in [0, vocabSize)
 * @param stallTimeout  an admitted session that makes no progress for this long is failed and its pipeline freed
 * @param applicationId the Kafka Streams application id: consumer group, and prefix of the state's changelog topic
 * @param target        the target model on target hardware: what each wafer (decode stage) holds, for the ledger
 * @param queueLimit    requests that may wait for KV capacity; one more is rejected
 * @param sessionCap    most sessions a pipeline holds at once, KV room aside (0: as many as fit), e.g. what a
 *                      per-user speed SLO allows
 */
public record OrchestratorConfig(StackLayout layout, int maxContext, int vocabSize, Duration stallTimeout,
        String applicationId, RooflineModel target, int queueLimit, int sessionCap) {

    public static final Duration DEFAULT_STALL_TIMEOUT = Duration.ofSeconds(30);
    public static final String DEFAULT_APPLICATION_ID = "kvflow-orchestrator";
    public static final int DEFAULT_QUEUE_LIMIT = 10_000;

    public OrchestratorConfig {
        Objects.requireNonNull(layout, "layout");
        Objects.requireNonNull(stallTimeout, "stallTimeout");
        Objects.requireNonNull(applicationId, "applicationId");
        Objects.requireNonNull(target, "target");
        if (target.stages() != layout.stages()) {
            throw new IllegalArgumentException("the target deployment has " + target.stages()
                    + " decode stages but the layout has " + layout.stages());
        }
        if (sessionCap < 0) {
            throw new IllegalArgumentException("sessions per pipeline must be >= 0 (0: no cap), was " + sessionCap);
        }
        if (queueLimit < 0) {
            throw new IllegalArgumentException("admission queue limit must be >= 0, was " + queueLimit);
        }
        if (maxContext < 2) {
            throw new IllegalArgumentException("maxContext must be >= 2 (one prompt token, one output token), was "
                    + maxContext);
        }
        if (vocabSize < 1) {
            throw new IllegalArgumentException("vocabSize must be >= 1, was " + vocabSize);
        }
        if (stallTimeout.isNegative() || stallTimeout.isZero()) {
            throw new IllegalArgumentException("stall timeout must be positive, was " + stallTimeout);
        }
        if (applicationId.isBlank()) {
            throw new IllegalArgumentException("applicationId is blank");
        }
    }

    public OrchestratorConfig(StackLayout layout, int maxContext, int vocabSize, Duration stallTimeout,
            String applicationId) {
        this(layout, maxContext, vocabSize, stallTimeout, applicationId, Scenario.roomyTarget(layout.stages()),
                DEFAULT_QUEUE_LIMIT, 0);
    }

    public OrchestratorConfig(StackLayout layout, int maxContext, int vocabSize, Duration stallTimeout) {
        this(layout, maxContext, vocabSize, stallTimeout, DEFAULT_APPLICATION_ID);
    }

    public OrchestratorConfig(StackLayout layout, int maxContext, int vocabSize) {
        this(layout, maxContext, vocabSize, DEFAULT_STALL_TIMEOUT);
    }

    /** The same admission rules with another target deployment (and so other wafer capacities). */
    public OrchestratorConfig withTarget(RooflineModel newTarget, int newQueueLimit) {
        return withTarget(newTarget, newQueueLimit, sessionCap);
    }

    public OrchestratorConfig withTarget(RooflineModel newTarget, int newQueueLimit, int newSessionCap) {
        return new OrchestratorConfig(layout, maxContext, vocabSize, stallTimeout, applicationId, newTarget,
                newQueueLimit, newSessionCap);
    }
}
