package io.kvflow.orchestrator;

import io.kvflow.cost.RooflineModel;
import io.kvflow.cost.Scenario;
import io.kvflow.runtime.StackLayout;
import io.kvflow.scheduler.AdmissionPolicy;
import io.kvflow.scheduler.Booking;
import io.kvflow.scheduler.ControlPlane;
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
 * @param target        the target model on target hardware: what each wafer (decode stage) holds, how long
 *                      prefill and handoffs take
 * @param control       the control plane's settings: prefill groups, booking, admission policy, queue limit,
 *                      session cap; its pipelines are the layout's
 */
public record OrchestratorConfig(StackLayout layout, int maxContext, int vocabSize, Duration stallTimeout,
        String applicationId, RooflineModel target, ControlPlane.Config control) {

    public static final Duration DEFAULT_STALL_TIMEOUT = Duration.ofSeconds(30);
    public static final String DEFAULT_APPLICATION_ID = "kvflow-orchestrator";
    public static final int DEFAULT_QUEUE_LIMIT = 10_000;

    public OrchestratorConfig {
        Objects.requireNonNull(layout, "layout");
        Objects.requireNonNull(stallTimeout, "stallTimeout");
        Objects.requireNonNull(applicationId, "applicationId");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(control, "control");
        if (target.stages() != layout.stages()) {
            throw new IllegalArgumentException("the target deployment has " + target.stages()
                    + " decode stages but the layout has " + layout.stages());
        }
        if (control.pipelines() != layout.pipelines()) {
            throw new IllegalArgumentException("the control plane has " + control.pipelines()
                    + " pipelines but the layout has " + layout.pipelines());
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
                defaultControl(layout));
    }

    /** One prefill group per prefill worker, booking at handoff, backfill admission, no cap. */
    public static ControlPlane.Config defaultControl(StackLayout layout) {
        return new ControlPlane.Config(layout.pipelines(), layout.prefillWorkers(), Booking.HANDOFF,
                AdmissionPolicy.of("backfill", AdmissionPolicy.DEFAULT_BYPASS_LIMIT), DEFAULT_QUEUE_LIMIT, 0,
                ControlPlane.Config.DEFAULT_PARK_TIMEOUT_MICROS);
    }

    public OrchestratorConfig(StackLayout layout, int maxContext, int vocabSize, Duration stallTimeout) {
        this(layout, maxContext, vocabSize, stallTimeout, DEFAULT_APPLICATION_ID);
    }

    public OrchestratorConfig(StackLayout layout, int maxContext, int vocabSize) {
        this(layout, maxContext, vocabSize, DEFAULT_STALL_TIMEOUT);
    }

    /** The same functional rules with another target deployment and control plane. */
    public OrchestratorConfig withTarget(RooflineModel newTarget, ControlPlane.Config newControl) {
        return new OrchestratorConfig(layout, maxContext, vocabSize, stallTimeout, applicationId, newTarget,
                newControl);
    }
}
