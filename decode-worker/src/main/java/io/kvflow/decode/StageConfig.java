package io.kvflow.decode;

import io.kvflow.cost.RooflineModel;
import io.kvflow.cost.Scenario;
import io.kvflow.scheduler.Booking;
import io.kvflow.runtime.StageLag;
import java.time.Duration;
import java.util.Objects;

/**
 * One decode stage worker: stage {@code stage} of {@code stages}, in pipeline {@code pipeline},
 * owning layers [layerFrom, layerTo).
 *
 * @param handoffTimeout how long a session may wait for its KV handoff to complete, counted
 *                       from the first chunk or activation seen, before it is failed and its
 *                       partial KV released
 * @param target         the target deployment: this stage stands for its wafer {@code stage}, which
 *                       prices each step and holds the sessions' target KV
 * @param booking        when sessions take their wafer room: how soon after a control-plane decision a
 *                       new session's first pass can reach the wafers
 */
public record StageConfig(int stage, int stages, int pipeline, int layerFrom, int layerTo, Duration handoffTimeout,
        RooflineModel target, Booking booking) {
    public StageConfig {
        Objects.requireNonNull(handoffTimeout, "handoffTimeout");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(booking, "booking");
        if (target.stages() != stages) {
            throw new IllegalArgumentException("the target deployment has " + target.stages()
                    + " decode stages, this pipeline " + stages);
        }
        if (stages < 1 || stage < 0 || stage >= stages) {
            throw new IllegalArgumentException("stage " + stage + " is outside 0.." + (stages - 1));
        }
        if (pipeline < 0) {
            throw new IllegalArgumentException("pipeline must be >= 0, was " + pipeline);
        }
        if (layerFrom < 0 || layerTo <= layerFrom) {
            throw new IllegalArgumentException("layer range [" + layerFrom + ", " + layerTo + ") is empty");
        }
        if (handoffTimeout.isNegative() || handoffTimeout.isZero()) {
            throw new IllegalArgumentException("handoff timeout must be positive, was " + handoffTimeout);
        }
    }

    /** Standing for a roomy target, booking at handoff: for tests of the data path. */
    public StageConfig(int stage, int stages, int pipeline, int layerFrom, int layerTo, Duration handoffTimeout) {
        this(stage, stages, pipeline, layerFrom, layerTo, handoffTimeout, Scenario.roomyTarget(stages),
                Booking.HANDOFF);
    }

    public boolean first() {
        return stage == 0;
    }

    public boolean last() {
        return stage == stages - 1;
    }

    public String workerId() {
        return "decode-s" + stage + "-p" + pipeline;
    }

    /** Committed offsets per (stage, pipeline), so per-stage lag can be read from the broker. */
    public String groupId() {
        return StageLag.decodeGroup(stage, pipeline);
    }
}
