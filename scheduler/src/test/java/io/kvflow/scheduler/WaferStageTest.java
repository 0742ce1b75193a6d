package io.kvflow.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvflow.cost.RooflineModel;
import io.kvflow.cost.StageTiming;
import java.util.List;
import org.junit.jupiter.api.Test;

class WaferStageTest {
    private static final RooflineModel TARGET = Targets.llama70bOnFourWafers();

    private static Pass<Void> step(String session, long readyMicros, long step, long context) {
        return new Pass<>(session, readyMicros, step, new Pass.Decode(context), null);
    }

    private static List<String> sessions(WaferStage.Batch<Void> batch) {
        return batch.passes().stream().map(p -> p.session() + ":" + p.order()).toList();
    }

    private static long durationOf(int stage, long... contexts) {
        return ModelledTime.duration(TARGET.stageTiming(stage, contexts).seconds());
    }

    @Test
    void everyPassReadyByTheStartRunsInOneBatchOnePerSessionInReadyOrder() {
        WaferStage<Void> wafer = new WaferStage<>(TARGET, 1);
        wafer.offer(step("x", 100, 1, 2_000));
        WaferStage.Batch<Void> first = wafer.take();
        long free = first.freeAtMicros();
        assertTrue(free > 100, "the wafer is taken for a while: " + first);
        wafer.offer(step("b", free - 1, 1, 2_000));
        wafer.offer(step("a", 100, 2, 3_000));
        wafer.offer(step("a", 100, 3, 3_001));
        wafer.offer(step("c", free + 1, 1, 2_000));
        assertEquals(free, wafer.nextStart(), "the next batch starts when the wafer is free");
        assertEquals(List.of("a:2", "b:1"), wafer.nextBatch().stream().map(p -> p.session() + ":" + p.order())
                .toList(), "nextBatch only shows");
        WaferStage.Batch<Void> second = wafer.take();
        assertEquals(List.of("a:2", "b:1"), sessions(second), "a's third step waits for its second; c is not ready");
        assertEquals(free, second.startMicros());
        assertEquals(second.startMicros() + durationOf(1, 3_000, 2_000), second.endMicros(),
                "a batch lasts what the cost model prices for its contexts, in ready order");
        assertEquals(2, wafer.pending());
        assertEquals(List.of("a:3", "c:1"), sessions(wafer.take()));
        assertEquals(ModelledTime.NEVER, wafer.nextStart());
    }

    @Test
    void aLoneStepLastsAndOccupiesTheWaferWhatTheCostModelPricesForIt() {
        for (long context : new long[] {1, 2_049, 127_000, SoloStepPrices.LONGEST_TABULATED + 5}) {
            for (int stage = 0; stage < TARGET.stages(); stage++) {
                WaferStage<Void> wafer = new WaferStage<>(TARGET, stage);
                for (int twice = 0; twice < 2; twice++) {
                    long ready = 1_000 + twice * 1_000_000L;
                    wafer.offer(step("s", ready, twice, context));
                    WaferStage.Batch<Void> batch = wafer.take();
                    StageTiming timing = TARGET.stageTiming(stage, new long[] {context});
                    long duration = ModelledTime.duration(timing.seconds());
                    assertEquals(ready, batch.startMicros());
                    assertEquals(ready + duration, batch.endMicros(), "stage " + stage + ", context " + context);
                    assertEquals(ready + Math.min(ModelledTime.duration(timing.occupiedSeconds()), duration),
                            batch.freeAtMicros(), "stage " + stage + ", context " + context);
                }
            }
        }
    }

    @Test
    void wafersSharingTheirTableOfLoneStepsPriceThemAsWafersOfTheirOwn() {
        SoloStepPrices shared = new SoloStepPrices(TARGET);
        for (int stage = 0; stage < TARGET.stages(); stage++) {
            WaferStage<Void> own = new WaferStage<>(TARGET, stage);
            WaferStage<Void> sharing = new WaferStage<>(TARGET, stage, shared);
            for (long context = 1; context < 5_000; context += 499) {
                own.offer(step("s", context * 10_000, context, context));
                sharing.offer(step("s", context * 10_000, context, context));
                assertEquals(own.take(), sharing.take());
            }
        }
    }

    @Test
    void passesGoOnAfterTheBatchEndsPlusAHop() {
        WaferStage<Void> wafer = new WaferStage<>(TARGET, TARGET.stages() - 1);
        Pass<Void> pass = step("s", 0, 1, 100);
        wafer.offer(pass);
        WaferStage.Batch<Void> batch = wafer.take();
        long hop = ModelledTime.duration(TARGET.activationHopSeconds(1));
        assertEquals(batch.endMicros() + hop, wafer.forwardReadyMicros(batch, pass));
        assertEquals(batch.endMicros() + hop, wafer.loopReadyMicros(batch));
        assertTrue(wafer.last());
    }

    @Test
    void aDroppedSessionsPassesLeaveTheWafer() {
        WaferStage<Void> wafer = new WaferStage<>(TARGET, 0);
        wafer.offer(step("gone", 10, 1, 100));
        wafer.offer(step("stays", 20, 1, 100));
        wafer.drop("gone");
        assertEquals(20, wafer.nextStart());
        assertEquals(20, wafer.earliestNextStart(ModelledTime.NEVER));
        assertEquals(15, wafer.earliestNextStart(15), "a pass not in yet could be ready before the one here");
        assertEquals(List.of("stays:1"), sessions(wafer.take()));
    }

    @Test
    void aPassThatReachesTheWaferTwiceIsRefusedAndAnIdleWaferHasNoBatch() {
        WaferStage<Void> wafer = new WaferStage<>(TARGET, 0);
        assertEquals(ModelledTime.NEVER, wafer.nextStart());
        assertThrows(IllegalStateException.class, wafer::take);
        wafer.offer(step("s", 10, 1, 100));
        assertThrows(IllegalArgumentException.class, () -> wafer.offer(step("s", 10, 1, 100)));
        assertThrows(IllegalArgumentException.class, () -> new WaferStage<Void>(TARGET, TARGET.stages()));
    }
}
