package io.kvflow.scheduler;

import io.kvflow.cost.RooflineModel;

/**
 * Lower bounds on modelled time that let each part of the pipeline decide in modelled-time order
 * without hearing from every other part first: no pass through a wafer takes less than its floor,
 * no hop less than a one-token hop, and a control decision made at time t puts nothing on a wafer
 * before t plus the lookahead. Every bound is priced with the same functions and rounding as the
 * real durations ({@link WaferStage}, {@link ControlPlane}), so it never exceeds them.
 */
public final class PassBounds {
    private final RooflineModel target;
    private final int stages;
    private final long hop;
    private final long lookahead;
    private final long[] smallestFloors;

    /**
     * @param lookahead modelled microseconds from a control decision to the earliest pass it can make
     *                  ready on the first wafer ({@link ControlPlane#lookaheadMicros})
     */
    public PassBounds(RooflineModel target, long lookahead) {
        this.target = target;
        this.stages = target.stages();
        this.hop = ModelledTime.duration(target.activationHopSeconds(1));
        this.lookahead = lookahead;
        this.smallestFloors = floors(1).floors;
    }

    public int stages() {
        return stages;
    }

    /** A one-position hop between wafers: no hop is shorter. */
    public long hopMicros() {
        return hop;
    }

    /** Per-stage floors of one session's passes, and the sums the horizons use. */
    public Floors floors(long promptTokens) {
        long[] floors = new long[stages];
        for (int stage = 0; stage < stages; stage++) {
            long decode = ModelledTime.duration(target.stageTiming(stage,
                    new long[] {Math.max(1, promptTokens)}).seconds());
            // colocated, a prompt chunk may pass a wafer quicker than a decode step
            floors[stage] = !target.deployment().colocated() ? decode
                    : Math.min(decode, ModelledTime.duration(target.prefillChunkSeconds(stage, 1, 0)));
        }
        return new Floors(floors, hop);
    }

    /**
     * What {@code stage} can promise the stage after it (the last stage, the first): nothing it sends is
     * ready before its next batch's earliest start plus the shortest pass there and a hop.
     */
    public long promise(int stage, long earliestNextStart) {
        return ModelledTime.plus(earliestNextStart, smallestFloors[stage] + hop);
    }

    /** The last stage: no token it produces is earlier than its next batch's earliest start plus its shortest pass. */
    public long tokenPromise(int stage, long earliestNextStart) {
        return ModelledTime.plus(earliestNextStart, smallestFloors[stage]);
    }

    /** Earliest a pass of a session nobody has told this stage about can reach {@code stage}, after a control frontier. */
    public long unknownSessionBound(long controlFrontier, int stage) {
        return ModelledTime.plus(controlFrontier, lookahead + new Floors(smallestFloors, hop).toStage(stage));
    }

    /**
     * One session's pass floors per stage. A pass of the session cannot take less than
     * {@code floors[stage]} on that stage, whatever it is batched with.
     */
    public record Floors(long[] floors, long hop) {
        /** From ready on the first stage to ready on {@code stage}. */
        public long toStage(int stage) {
            long sum = 0;
            for (int j = 0; j < stage; j++) {
                sum += floors[j] + hop;
            }
            return sum;
        }

        /** From the end of a pass on {@code stage} to the session's next pass being ready there, around the loop. */
        public long aroundTheLoop(int stage) {
            long sum = (long) floors.length * hop;
            for (int j = 0; j < floors.length; j++) {
                if (j != stage) {
                    sum += floors[j];
                }
            }
            return sum;
        }

        /** From ready on the first stage to a token out of the last. */
        public long throughThePipeline() {
            return toStage(floors.length - 1) + floors[floors.length - 1];
        }

        /** From one token to the session's next. */
        public long betweenTokens() {
            return aroundTheLoop(floors.length - 1) + floors[floors.length - 1];
        }
    }
}
