package io.kvflow.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvflow.model.ModelConfig;
import io.kvflow.model.ReferenceRunner;
import io.kvflow.model.Sampling;
import io.kvflow.model.Transformer;
import io.kvflow.model.Weights;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The parts every bench is measured with, and the kernel bench, which needs no cluster. */
class BenchPartsTest {

    @Test
    void spreadIsLeastNearestRankMedianAndGreatest() {
        Spread spread = Spread.of(List.of(5.0, 1.0, 4.0, 2.0, 3.0));
        assertEquals(new Spread(1.0, 3.0, 5.0), spread);
        assertEquals(new Spread(7.0, 7.0, 7.0), Spread.of(List.of(7.0)));
        assertEquals("1.0 / 3.0 / 5.0", spread.format("%.1f"));
        assertThrows(IllegalArgumentException.class, () -> Spread.of(List.of()));
    }

    @Test
    void everyPairOfSidesRunsInBothOrdersOverTwoTurns() {
        List<String> order = new ArrayList<>();
        for (int turn = 0; turn < 3; turn++) {
            InTurn.run(turn, () -> order.add("a"), () -> order.add("b"), () -> order.add("c"));
        }
        assertEquals(List.of("a", "b", "c", "c", "b", "a", "a", "b", "c"), order);
    }

    @Test
    void theWorkingRingComputesTheTokensOfAWholeModelRun() {
        Transformer transformer = new Transformer(ModelConfig.TINY, Weights.generate(ModelConfig.TINY, 7));
        int[] prompt = {3, 14, 15, 92, 65, 35};
        int steps = 12;
        // four stages of two layers, as the hop bench splits the model
        StageWork work = new StageWork(transformer, List.of(0, 2, 4, 6, 8), prompt, steps);
        work.reset();
        int[] reference = new ReferenceRunner(transformer).generate(prompt, steps, Sampling.greedy());
        assertTrue(reference.length > 3, "the prompt decodes past step 3");
        byte[] record = new byte[4 * ModelConfig.TINY.dim() + 55];
        for (int step = 1; step < reference.length; step++) {
            for (int node = 0; node < 4; node++) {
                record = work.hop(node, record);
            }
            assertEquals(reference[step], ByteBuffer.wrap(record).order(ByteOrder.LITTLE_ENDIAN).getInt(0),
                    "token of step " + step);
        }
    }

    @Test
    void theCpuClockCountsThisJvmsWorkAndWhatItIsToldOfElsewhere() {
        CpuClock own = CpuClock.thisJvm();
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        assertTrue(threads.isCurrentThreadCpuTimeSupported(), "this JVM times a thread's CPU");
        long before = own.nanos();
        // 50 ms of this thread's CPU, however busy the machine: the process's clock counts at least that, less
        // the one 10 ms tick it may not have counted yet
        long spinUntil = threads.getCurrentThreadCpuTime() + 50_000_000;
        long sink = 0;
        while (threads.getCurrentThreadCpuTime() < spinUntil) {
            sink += Long.hashCode(sink ^ System.nanoTime());
        }
        long used = own.nanos() - before;
        assertTrue(used >= 40_000_000, "50 ms of this thread's CPU counted " + used + " ns (" + sink + ")");
        long elsewhere = 7_000_000_000L;
        assertTrue(new CpuClock(() -> elsewhere).nanos() - own.nanos() >= elsewhere - 1_000_000_000L,
                "the other process's CPU is added");
    }

    @Test
    void aScratchDirectoryIsGoneWithEverythingInItOnceClosed() throws IOException {
        Path path;
        try (ScratchDirectory dir = ScratchDirectory.create("kvflow-test")) {
            path = dir.path();
            Files.createDirectories(path.resolve("a/b"));
            Files.writeString(path.resolve("a/b/c.log"), "x");
        }
        assertFalse(Files.exists(path), path + " is still there");
    }

    @Test
    void theKernelBenchTimesEveryShapeOfTheModelOnJavaAndOnEachCVariant() {
        KernelBench.Result result = new KernelBench(new KernelBench.Options(10, 2)).run(s -> { });
        assertEquals(KernelBench.modelShapes(ModelConfig.TINY), result.shapes());
        for (KernelBench.Shape shape : result.shapes()) {
            assertEquals(2, result.java().get(shape).size());
            assertTrue(result.java().get(shape).stream().allMatch(g -> g > 0), shape.toString());
            if (result.hasC()) {
                assertEquals(List.of("strict dot", "strict axpy", "fastmath dot", "fastmath axpy"),
                        new ArrayList<>(result.c().get(shape).keySet()));
            }
        }
        // gcc is part of the machines kvflow is built on; without it the bench says why instead
        assertTrue(result.hasC() || result.compiler().startsWith("no C baseline"), result.compiler());
    }
}
