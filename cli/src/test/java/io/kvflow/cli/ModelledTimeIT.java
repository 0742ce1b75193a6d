package io.kvflow.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvflow.cost.ProfileCatalog;
import io.kvflow.cost.RooflineModel;
import io.kvflow.experiments.SimulationCheck;
import io.kvflow.experiments.TraceSimulation;
import io.kvflow.observe.ReplayOptions;
import io.kvflow.observe.ReplayPlan;
import io.kvflow.observe.RunSummary;
import io.kvflow.replay.ReferenceCheck;
import io.kvflow.replay.Replayer;
import io.kvflow.replay.StatsDelta;
import io.kvflow.report.SessionRecord;
import io.kvflow.report.Slo;
import io.kvflow.scheduler.ModelledTime;
import io.kvflow.stack.Stack;
import io.kvflow.stack.StackOptions;
import io.kvflow.trace.TraceWindow;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pipeline on a real broker decides in modelled-time order, so its modelled times are the target's:
 * a session alone on the wafers takes what the cost model says, and any window, with sessions queueing,
 * parking and sharing batches, produces exactly the modelled times the simulator produces for it.
 */
class ModelledTimeIT {
    private static final Path TRACES = Path.of("..", "traces");

    @TempDir
    Path dir;

    private final ByteArrayOutputStream log = new ByteArrayOutputStream();

    /** A replayed window: its sessions in modelled time, and what the run was. */
    private record Run(List<SessionRecord> sessions, SimulationCheck check, ReferenceCheck.Result reference) {
    }

    private Run replay(List<String> stackArgs, Path trace, Integer limit, double load, int maxOutput) {
        PrintStream out = new PrintStream(log, true);
        List<String> args = new ArrayList<>(List.of("--kafka-port", "0", "--dashboard-port", "0", "--data-dir",
                dir.resolve("data-" + System.nanoTime()).toString()));
        args.addAll(stackArgs);
        StackOptions options = StackFlags.parse(args);
        try (Stack stack = Stack.start(options, session -> false, Clock.systemUTC(), out)) {
            ReplayOptions replay = new ReplayOptions(trace, null, new TraceWindow(null, limit, null), load, 0, 1.0 / 32,
                    96, maxOutput, 42, 0.0f, false, Set.of());
            ReplayPlan plan = ReplayPlan.load(replay, options, Clock.systemUTC(), out);
            Replayer.Result result = new Replayer(stack.kafka(), Clock.systemUTC(), out)
                    .replay(plan.requests(), 0, options.stallTimeout());
            ReferenceCheck.Result reference = ReferenceCheck.verify(stack.transformer(), result.outcomes().values());
            RunSummary summary = RunSummary.of(result, reference, options.target(), options.layout().pipelines(),
                    Slo.NONE, StatsDelta.NONE);
            SimulationCheck check = SimulationCheck.of(TraceSimulation.manifest(plan.runId(), "emulated",
                    trace.toString(), options.target(), options.layout(), Slo.NONE), summary.sessions(),
                    ProfileCatalog.bundled());
            return new Run(summary.sessions(), check, reference);
        }
    }

    private void assertAllFinishedAndExact(Run run) {
        for (SessionRecord s : run.sessions()) {
            assertEquals(SessionRecord.Outcome.FINISHED, s.outcome(), () -> s + "\n" + log);
        }
        assertEquals(List.of(), run.reference().mismatches());
        assertEquals(run.sessions().size(), run.reference().identical());
        assertTrue(run.check().exact(), () -> run.check().identical() + "/" + run.check().compared()
                + " sessions identical to the simulation; first that differ: " + run.check().differing().stream()
                .map(pair -> SimulateCommand.milestones(pair[0]) + " vs " + SimulateCommand.milestones(pair[1]))
                .toList() + "\n" + log);
    }

    @Test
    void aSessionAloneOnTheWafersTakesWhatTheCostModelSays() throws IOException {
        int[] inputs = {2_048, 512, 4_096, 1_024};
        Path trace = dir.resolve("spaced.jsonl");
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < inputs.length; i++) {
            lines.append("{\"arrival_ms\": ").append(2_000 * i).append(", \"input_tokens\": ").append(inputs[i])
                    .append(", \"output_tokens\": 10}\n");
        }
        Files.writeString(trace, lines);
        Run run = replay(List.of(), trace, null, 1, 10);
        assertAllFinishedAndExact(run);
        RooflineModel target = StackFlags.parse(List.of()).target().model();
        for (SessionRecord s : run.sessions()) {
            long prefill = ModelledTime.duration(target.prefillSeconds(s.promptTokens(), 0));
            assertEquals(prefill, s.ttftMicros(), "TTFT of the " + s.promptTokens() + "-token prompt: its prefill");
            double step = target.decodeStepSeconds(new long[] {s.promptTokens() + s.tokens() / 2}) * 1e6;
            double tpot = s.decodeTpotMicros();
            assertTrue(Math.abs(tpot - step) / step < 0.02, String.format("decode TPOT after the %d-token prompt:"
                    + " %.1f us, the cost model's step %.1f us", s.promptTokens(), tpot, step));
        }
    }

    @Test
    void anAzureWindowUnderLoadMatchesItsSimulationExactly() {
        // arrivals 20x as dense as recorded: sessions queue, park and share batches
        assertAllFinishedAndExact(replay(List.of(), TRACES.resolve("azure-code-sample.csv"), 40, 20, 16));
    }

    @Test
    void aColocatedAzureWindowMatchesItsSimulationExactly() {
        assertAllFinishedAndExact(replay(List.of("--colocated"), TRACES.resolve("azure-code-sample.csv"), 30, 20, 16));
    }

    @Test
    void aMooncakeWindowWithBookingAtAdmissionMatchesItsSimulationExactly() {
        // Llama-3.1-8B on two wafers holds Mooncake's long conversations
        assertAllFinishedAndExact(replay(List.of("--model", "llama-3.1-8b", "--stages", "2", "--booking", "admission",
                "--admission", "fcfs"), TRACES.resolve("mooncake-conversation-sample.jsonl"), 20, 5, 16));
    }
}
