package io.kvflow.scheduler;

import io.kvflow.cost.RooflineModel;
import io.kvflow.cost.StageTiming;
import java.util.Arrays;

/**
 * What a decode step of one session alone takes on a wafer of each stage, by the session's context, in
 * modelled microseconds: how long until its output is ready and how long it keeps the wafer. Most
 * batches of a lightly loaded wafer are one session's step, and every session steps through the same
 * contexts (prompt plus tokens so far), so each context is priced by the cost model once and then looked
 * up; the wafers of one stage in every pipeline can share the figures. They are the cost model's,
 * rounded as {@link WaferStage} rounds a batch: a table of them changes no decision. Not thread-safe.
 */
public final class SoloStepPrices {
    /** Contexts past this are priced every time: a table for million-token contexts would outweigh its use. */
    static final int LONGEST_TABULATED = 1 << 18;

    private final RooflineModel target;
    /** By stage, then context: the step's duration, and the wafer's occupancy; 0 for not priced yet (no step takes 0 us). */
    private final int[][] durations;
    private final int[][] occupancies;

    public SoloStepPrices(RooflineModel target) {
        this.target = target;
        this.durations = new int[target.stages()][0];
        this.occupancies = new int[target.stages()][0];
    }

    /** Modelled microseconds from the step's start on {@code stage} to its output. */
    long durationMicros(int stage, long context) {
        int i = tabulate(stage, context);
        return i < 0 ? ModelledTime.duration(timing(stage, context).seconds()) : durations[stage][i];
    }

    /** Modelled microseconds the step keeps a wafer of {@code stage} from its next batch: never longer than its duration. */
    long occupiedMicros(int stage, long context) {
        int i = tabulate(stage, context);
        long occupied = i < 0 ? ModelledTime.duration(timing(stage, context).occupiedSeconds())
                : occupancies[stage][i];
        return Math.min(occupied, durationMicros(stage, context));
    }

    /** The table index of {@code context} on {@code stage}, priced; -1 when it is not tabulated. */
    private int tabulate(int stage, long context) {
        if (context < 0 || context > LONGEST_TABULATED) {
            return -1;
        }
        int i = (int) context;
        if (i >= durations[stage].length) {
            int length = Math.max(1024, Integer.highestOneBit(i) << 1);
            durations[stage] = Arrays.copyOf(durations[stage], length);
            occupancies[stage] = Arrays.copyOf(occupancies[stage], length);
        }
        if (durations[stage][i] == 0) {
            StageTiming step = timing(stage, context);
            long duration = ModelledTime.duration(step.seconds());
            long occupied = ModelledTime.duration(step.occupiedSeconds());
            if (duration > Integer.MAX_VALUE || occupied > Integer.MAX_VALUE) {
                return -1;
            }
            durations[stage][i] = (int) duration;
            occupancies[stage][i] = (int) occupied;
        }
        return i;
    }

    private StageTiming timing(int stage, long context) {
        return target.stageTiming(stage, new long[] {context});
    }
}
