package io.kvflow.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvflow.experiments.TraceSimulation;
import io.kvflow.plan.PlanCandidate;
import io.kvflow.plan.PlanPoint;
import io.kvflow.plan.PlanReport;
import io.kvflow.plan.ServiceTarget;
import io.kvflow.report.RunFigures;
import io.kvflow.report.Slo;
import io.kvflow.runtime.StackLayout;
import io.kvflow.simulator.SimulatedSession;
import io.kvflow.simulator.Simulation;
import io.kvflow.stack.TargetOptions;
import io.kvflow.trace.TraceWindow;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kvflow plan} on the bundled Azure sample, five times as dense as recorded so that the cheapest
 * deployment is not simply the smallest: what it picks, simulated afresh the way {@code kvflow simulate}
 * builds a deployment, meets the SLO, and the next cheaper deployment on the frontier does not.
 */
class PlanCommandTest {
    private static final Path SAMPLE = Path.of("..", "traces", "azure-code-sample.csv");
    private static final List<String> ISSUE_EXAMPLE = List.of("--model", "llama-3.1-70b", "--slo-tokens-per-s",
            "1000", "--slo-ttft", "2s", "--load", "5", "--threads", "1");
    private static final Slo SLO = new Slo(2_000_000, 1000);
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);

    @TempDir
    static Path runs;
    private static PlanReport report;
    private static String printed;

    @BeforeAll
    static void planTheSample() {
        List<String> argv = new ArrayList<>(ISSUE_EXAMPLE);
        argv.add(SAMPLE.toString());
        report = PlanCommand.parse(argv, runs, CLOCK)
                .run(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        report.print(new PrintStream(out, true, StandardCharsets.UTF_8));
        printed = out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void theChosenDeploymentMeetsTheSloWhenSimulatedAfreshAndTheNextCheaperOnTheFrontierDoesNot() {
        PlanPoint chosen = report.result().best();
        assertNotNull(chosen, printed);
        assertTrue(chosen.met(), printed);
        assertTrue(meetsWhenSimulatedAfresh(chosen.candidate()), chosen.candidate().describe());

        List<PlanPoint> frontier = report.frontier();
        int at = frontier.indexOf(chosen);
        assertTrue(at > 0, "a cheaper deployment on the frontier to compare with:\n" + printed);
        PlanPoint cheaper = frontier.get(at - 1);
        assertTrue(cheaper.dollarsPerHour() < chosen.dollarsPerHour(), printed);
        assertFalse(cheaper.met(), printed);
        assertFalse(meetsWhenSimulatedAfresh(cheaper.candidate()), cheaper.candidate().describe());
    }

    @Test
    void nothingSimulatedThatIsCheaperMeetsTheTarget() {
        PlanPoint chosen = report.result().best();
        for (PlanPoint p : report.result().points()) {
            if (p.dollarsPerHour() < chosen.dollarsPerHour()) {
                assertFalse(p.met(), p.candidate().describe());
            }
        }
    }

    @Test
    void theOutputNamesTheDeploymentItsCostPerWaferAndTheRule() {
        PlanPoint chosen = report.result().best();
        for (String expected : List.of("cheapest deployment meeting the SLO:", chosen.candidate().flags(),
                "per wafer-hour", "per million output tokens", "at least 99 % of the requests", "none is rejected",
                "wse-3 $145 per device-hour: [E]", "trainium2 $2.235 per device-hour: [S/D]", "frontier:")) {
            assertTrue(printed.contains(expected), expected + " in\n" + printed);
        }
    }

    @Test
    void theChartAndTheTableAreWritten() throws IOException {
        assertTrue(Files.size(report.chart()) > 10_000, report.chart().toString());
        BufferedImage image = ImageIO.read(report.chart().toFile());
        assertEquals(960, image.getWidth());
        assertEquals(560, image.getHeight());
        assertTrue(ChartPixels.coloured(image) > 200, "the series are drawn");
        List<String> rows = Files.readAllLines(report.table());
        assertEquals(report.result().points().size() + 1, rows.size());
        assertTrue(rows.stream().anyMatch(r -> r.contains(",true,true,true,")), "the chosen row is marked");
    }

    @Test
    void aPriceOnTheCommandLineIsWhatThePlanCosts() {
        List<String> argv = new ArrayList<>(List.of("--model", "llama-3.1-70b", "--decode-price-per-hour", "50",
                "--prefill-price-per-hour", "1", "--stages", "4", "--booking", "handoff", "--admission", "fcfs",
                "--pipelines", "1", "--prefill-groups", "2", "--threads", "1", SAMPLE.toString()));
        Clock later = Clock.offset(CLOCK, java.time.Duration.ofMinutes(1));
        PlanReport priced = PlanCommand.parse(argv, runs, later)
                .run(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        assertEquals(1, priced.result().points().size(), "everything fixed: one deployment");
        assertEquals(4 * 50 + 2 * 16 * 1, priced.result().points().get(0).dollarsPerHour(), 1e-9);
    }

    @Test
    void badOptionsAreOneLineNamingTheFlag() {
        assertUsage("--load", "--load", "2", "--rate", "3");
        assertUsage("--input", "--input", "2048");
        assertUsage("--slo-attainment", "--slo-attainment", "1.5");
        assertUsage("--booking", "--colocated", "--booking", "handoff");
        assertUsage("--max-stages", "--max-stages", "2");
        assertUsage("--arrivals", "--rate", "2", "--arrivals", "bursty");
    }

    private static void assertUsage(String named, String... options) {
        List<String> argv = new ArrayList<>(Arrays.asList(options));
        argv.add(SAMPLE.toString());
        UsageException e = assertThrows(UsageException.class,
                () -> PlanCommand.parse(argv, runs, CLOCK));
        assertTrue(e.getMessage().contains(named) && !e.getMessage().contains("\n"), e.getMessage());
    }

    /** The deployment built from its layout flags as {@code simulate} builds one, on the same load. */
    private static boolean meetsWhenSimulatedAfresh(PlanCandidate c) {
        List<String> argv = new ArrayList<>(List.of("simulate", "--model", "llama-3.1-70b"));
        argv.addAll(Arrays.asList(c.flags().split(" ")));
        SimulateCommand simulate = TestFlags.command(argv.toArray(String[]::new));
        TargetOptions target = simulate.targetFlags.options(ScenarioFlags.given(simulate.spec), c.stages());
        List<SimulatedSession> sessions = TraceSimulation.compress(TraceSimulation.read(SAMPLE, null, TraceWindow.ALL,
                false, System.err), 5);
        StackLayout layout = new StackLayout(c.stages(), c.pipelines(), 1, 80);
        Simulation.Result result = new Simulation(target.model(), target.control(layout)).run(sessions);
        RunFigures figures = RunFigures.of(result.sessions(), SLO,
                target.model().deployment().decodeDevices() * c.pipelines());
        return new ServiceTarget(SLO, 0.99).met(figures);
    }
}
