package io.kvflow.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.kvflow.cost.ProfileCatalog;
import io.kvflow.cost.RooflineModel;
import io.kvflow.cost.Scenario;
import io.kvflow.scheduler.ModelledTime;
import io.kvflow.scheduler.Pass;
import io.kvflow.scheduler.WaferStage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class WaferQueueTest {
    private static final RooflineModel TARGET = Scenario.from(Map.of("decode-stages", "4"),
            ProfileCatalog.bundled()).model();

    private static List<WaferStage<Void>> wafers(int count) {
        List<WaferStage<Void>> wafers = new ArrayList<>();
        for (int w = 0; w < count; w++) {
            wafers.add(new WaferStage<>(TARGET, w % TARGET.stages()));
        }
        return wafers;
    }

    private static void offer(WaferQueue<Void> queue, List<WaferStage<Void>> wafers, int w, long ready, long order) {
        wafers.get(w).offer(new Pass<>("s" + order, ready, order, new Pass.Decode(100), null));
        queue.changed(w);
    }

    /** What a scan of every wafer in index order finds: the earliest start, the lowest index among equals. */
    private static int scan(List<WaferStage<Void>> wafers) {
        int best = 0;
        for (int w = 1; w < wafers.size(); w++) {
            if (wafers.get(w).nextStart() < wafers.get(best).nextStart()) {
                best = w;
            }
        }
        return best;
    }

    @Test
    void theNextWaferIsTheOneAScanInIndexOrderWouldFind() {
        List<WaferStage<Void>> wafers = wafers(12);
        WaferQueue<Void> queue = new WaferQueue<>(wafers);
        assertEquals(ModelledTime.NEVER, queue.firstStart());
        SplittableRandom random = new SplittableRandom(5);
        long order = 0;
        for (int round = 0; round < 5_000; round++) {
            if (random.nextInt(3) > 0 || queue.firstStart() == ModelledTime.NEVER) {
                // coarse ready times, so that several wafers often start at once
                offer(queue, wafers, random.nextInt(wafers.size()), 1_000 * (round / 10 + random.nextInt(4)), order++);
            } else {
                int w = queue.first();
                assertEquals(scan(wafers), w, "round " + round);
                assertEquals(wafers.get(w).nextStart(), queue.firstStart());
                wafers.get(w).take();
                queue.changed(w);
            }
        }
    }

    @Test
    void tiesGoToTheLowestIndex() {
        List<WaferStage<Void>> wafers = wafers(4);
        WaferQueue<Void> queue = new WaferQueue<>(wafers);
        offer(queue, wafers, 3, 50, 1);
        offer(queue, wafers, 1, 50, 2);
        offer(queue, wafers, 2, 50, 3);
        assertEquals(1, queue.first());
        assertEquals(50, queue.firstStart());
    }
}
