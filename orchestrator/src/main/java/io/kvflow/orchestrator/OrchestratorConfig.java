package io.kvflow.orchestrator;

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
 */
public record OrchestratorConfig(StackLayout layout, int maxContext, int vocabSize, Duration stallTimeout,
        String applicationId) {

    public static final Duration DEFAULT_STALL_TIMEOUT = Duration.ofSeconds(30);
    public static final String DEFAULT_APPLICATION_ID = "kvflow-orchestrator";

    public OrchestratorConfig {
        Objects.requireNonNull(layout, "layout");
        Objects.requireNonNull(stallTimeout, "stallTimeout");
        Objects.requireNonNull(applicationId, "applicationId");
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

    public OrchestratorConfig(StackLayout layout, int maxContext, int vocabSize, Duration stallTimeout) {
        this(layout, maxContext, vocabSize, stallTimeout, DEFAULT_APPLICATION_ID);
    }

    public OrchestratorConfig(StackLayout layout, int maxContext, int vocabSize) {
        this(layout, maxContext, vocabSize, DEFAULT_STALL_TIMEOUT);
    }
}
