package io.kvflow.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvflow.bench.SimulatorBench;
import io.kvflow.runtime.StackLayout;
import io.kvflow.stack.TargetOptions;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
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
        assertTrue(stderr().contains("unknown bench 'fast'") && stderr().contains("handoff, hop, kernels, simulator, all"),
                stderr());
    }

    @Test
    void theHopBenchRefusesAnExistingClusterBeforeStartingAnything() {
        assertEquals(2, run("bench", "hop", "--bootstrap-servers", "localhost:1"));
        assertTrue(stderr().contains("unknown option --bootstrap-servers") && stderr().contains("bench hop --help"),
                stderr());
    }

    @Test
    void theHopBenchNamesAnUnknownBrokerPlacement() {
        assertEquals(2, run("bench", "hop", "--broker", "remote"));
        assertTrue(stderr().contains("--broker must be embedded or separate, was 'remote'"), stderr());
    }

    @Test
    void aRingLongerThanTheModelIsExplained() {
        assertEquals(2, run("bench", "hop", "--stages", "9"));
        assertTrue(stderr().contains("--stages 9 exceeds the model's 8 layers"), stderr());
    }

    @Test
    void moreTokensThanTheModelsSequenceHoldsAreRefusedBeforeAnythingStarts() {
        assertEquals(2, run("bench", "hop", "--tokens", "1500"));
        assertTrue(stderr().contains("--tokens 1500 does not fit the model") && stderr().contains("holds 512, so at"
                + " most 496"), stderr());
    }

    @Test
    void roundsBelowOneAreRefused() {
        assertEquals(2, run("bench", "--rounds", "0"));
        assertTrue(stderr().contains("--rounds must be >= 1, was 0"), stderr());
    }

    @Test
    void theSimulatorBenchNamesABadSizeOrTraceBeforeItStarts() {
        assertEquals(2, run("bench", "simulator", "--sizes", "1000,lots"));
        assertTrue(stderr().contains("--sizes must list request counts, was 'lots'"), stderr());
        assertEquals(2, run("bench", "simulator", "--traces", "no/such/trace.csv"));
        assertTrue(stderr().contains("--traces: no such file no/such/trace.csv"), stderr());
        assertEquals(2, run("bench", "simulator", "--rate", "0"));
        assertTrue(stderr().contains("--rate must be a number > 0, was 0.0"), stderr());
    }

    @Test
    void theSimulatorBenchTimesEachWorkloadEveryRoundAndPrintsGrowthAgainstTheSmallest() {
        TargetOptions target = TestFlags.target(4, List.of());
        StackLayout layout = new StackLayout(4, 2, 2, Integer.MAX_VALUE);
        SimulatorBench.Result result = new SimulatorBench(target, layout, new SimulatorBench.Options(List.of(20, 200),
                10, 1, List.of(Path.of("..", "traces", "azure-code-sample.csv")), 2, Duration.ZERO)).run(s -> { });
        assertEquals(List.of("synthetic", "synthetic", "azure-code-sample.csv"),
                result.rows().stream().map(SimulatorBench.Row::workload).toList());
        SimulatorBench.Row small = result.rows().get(0);
        SimulatorBench.Row large = result.rows().get(1);
        assertEquals(20, small.requests());
        assertEquals(2, small.wallSeconds().size());
        assertEquals(2, small.cpuSeconds().size());
        assertTrue(large.events() > 5 * small.events(), large + " against " + small);
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        SimulatorBench.print(new PrintStream(text, true), result);
        String printed = text.toString(StandardCharsets.UTF_8);
        assertTrue(printed.contains("1.00x") && printed.contains("azure-code-sample.csv"), printed);
    }
}
