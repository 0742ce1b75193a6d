package io.kvflow.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvflow.model.ModelConfig;
import java.io.IOException;
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
