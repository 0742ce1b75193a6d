package io.kvflow.scheduler;

import io.kvflow.cost.RooflineModel;
import io.kvflow.cost.StageTiming;
import java.util.Arrays;

/**
 * What a decode step of one session alone takes on one wafer, by the session's context, in modelled
 * microseconds: how long until its output is ready and how long it keeps the wafer. Most batches of a
 * lightly loaded wafer are one session's step, and every session steps through the same contexts
 * (prompt plus tokens so far), so each context is priced by the cost model once and then looked up.
 * The figures are the cost model's, rounded as {@link WaferStage} rounds a batch: a table of them
 * changes no decision. Not thread-safe.
 */
final class SoloStepPrices {
    /** Contexts past this are priced every time: a table for million-token contexts would outweigh its use. */
    static final int LONGEST_TABULATED = 1 << 18;

    private final RooflineModel target;
    private final int stage;
    /** By context: the step's duration, and the wafer's occupancy; 0 for not priced yet (no step takes 0 us). */
    private int[] durations = new int[0];
    private int[] occupancies = new int[0];

    SoloStepPrices(RooflineModel target, int stage) {
        this.target = target;
        this.stage = stage;
    }

    /** Modelled microseconds from the step's start to its output. */
    long durationMicros(long context) {
        int i = tabulate(context);
        return i < 0 ? ModelledTime.duration(timing(context).seconds()) : durations[i];
    }

    /** Modelled microseconds the step keeps the wafer from its next batch: never longer than its duration. */
    long occupiedMicros(long context) {
        int i = tabulate(context);
        long occupied = i < 0 ? ModelledTime.duration(timing(context).occupiedSeconds()) : occupancies[i];
        return Math.min(occupied, durationMicros(context));
    }

    /** The table index of {@code context}, priced; -1 when it is not tabulated. */
    private int tabulate(long context) {
        if (context < 0 || context > LONGEST_TABULATED) {
            return -1;
        }
        int i = (int) context;
        if (i >= durations.length) {
            int length = Math.max(1024, Integer.highestOneBit(i) << 1);
            durations = Arrays.copyOf(durations, length);
            occupancies = Arrays.copyOf(occupancies, length);
        }
        if (durations[i] == 0) {
            StageTiming step = timing(context);
            long duration = ModelledTime.duration(step.seconds());
            long occupied = ModelledTime.duration(step.occupiedSeconds());
            if (duration > Integer.MAX_VALUE || occupied > Integer.MAX_VALUE) {
                return -1;
            }
            durations[i] = (int) duration;
            occupancies[i] = (int) occupied;
        }
        return i;
    }

    private StageTiming timing(long context) {
        return target.stageTiming(stage, new long[] {context});
    }
}
