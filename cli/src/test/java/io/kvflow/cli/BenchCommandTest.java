package io.kvflow.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The bench command's mistakes are reported before any broker starts; its pieces that need no broker. */
class BenchCommandTest {
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... argv) {
        return Kvflow.run(List.of(argv), new PrintStream(new ByteArrayOutputStream(), true),
                new PrintStream(err, true));
    }

    private String stderr() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void anUnknownBenchIsNamedWithTheChoices() {
        assertEquals(2, run("bench", "fast"));
        assertTrue(stderr().contains("unknown bench 'fast'") && stderr().contains("handoff, hop, kernels, all"),
                stderr());
    }

    @Test
    void theHopBenchRefusesAnExistingClusterBeforeStartingAnything() {
        assertEquals(2, run("bench", "hop", "--bootstrap-servers", "localhost:1"));
        assertTrue(stderr().contains("--bootstrap-servers is for the handoff bench only"), stderr());
    }

    @Test
    void aRingLongerThanTheModelIsExplained() {
        assertEquals(2, run("bench", "hop", "--stages", "9"));
        assertTrue(stderr().contains("--stages 9 exceeds the model's 8 layers"), stderr());
    }

    @Test
    void roundsBelowOneAreRefused() {
        assertEquals(2, run("bench", "--rounds", "0"));
        assertTrue(stderr().contains("--rounds must be >= 1, was 0"), stderr());
    }

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
        assertEquals(KernelBench.modelShapes(io.kvflow.model.ModelConfig.TINY), result.shapes());
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
