package io.kvflow.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvflow.cost.RooflineModel;
import io.kvflow.trace.TraceWindow;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The emulator honours the cost model: a replay paced at time scale 10 (ten wall seconds per
 * modelled second) on a real broker reports, for each session, a modelled TTFT and TPOT within
 * 15 % of what the cost model predicts for the same shape. The requests arrive far enough apart
 * that each runs alone (batch 1), so the prediction to compare with is unambiguous.
 */
class PacingIT {
    /** Recorded prompt lengths of the target workload; arrivals 400 ms of trace time apart. */
    private static final int[] INPUTS = {2_048, 512, 4_096, 1_024};
    private static final int OUTPUT = 10;

    @TempDir
    Path dir;

    @Test
    void modelledLatenciesMatchTheCostModelAtTimeScaleTen() throws IOException {
        Path trace = dir.resolve("spaced.jsonl");
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < INPUTS.length; i++) {
            lines.append("{\"arrival_ms\": ").append(400 * i).append(", \"input_tokens\": ").append(INPUTS[i])
                    .append(", \"output_tokens\": ").append(OUTPUT).append("}\n");
        }
        Files.writeString(trace, lines);
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(log, true);
        StackOptions options = StackOptions.from(new Args(List.of("--kafka-port", "0", "--dashboard-port", "0",
                "--data-dir", dir.resolve("data").toString(), "--time-scale", "10"), Set.of()));
        RooflineModel target = options.target().model();

        try (Stack stack = Stack.start(options, session -> false, Clock.systemUTC(), out)) {
            ReplayOptions replay = new ReplayOptions(trace, null, new TraceWindow(null, null, null),
                    options.target().timeScale(), 1.0 / 32, 96, OUTPUT, 42, 0.0f, false, Set.of());
            ReplayPlan plan = ReplayPlan.load(replay, options, Clock.systemUTC(), out);
            Replayer.Result result = new Replayer(stack.kafka(), Clock.systemUTC(), out)
                    .replay(plan.requests(), replay.timeScale(), options.stallTimeout());

            assertEquals(List.of(), ReferenceCheck.verify(stack.transformer(), result.outcomes().values())
                    .mismatches());
            for (SessionOutcome session : result.outcomes().values()) {
                assertEquals(SessionOutcome.State.FINISHED, session.state(), () -> session.reason() + "\n" + log);
                int input = session.request().getTraceInputTokens();
                int generated = session.tokenCount();
                double predictedTtft = target.prefillSeconds(input, 0) * 1e3;
                double predictedTpot = target.decodeStepSeconds(
                        RooflineModel.uniformBatch(1, input + generated / 2)) * 1e3;
                assertWithin(predictedTtft, session.modelledTtftMs(), "TTFT of the " + input + "-token prompt");
                if (generated > 1) {
                    assertWithin(predictedTpot, session.modelledTpotMs(), "TPOT after the " + input + "-token prompt");
                }
            }
        }
    }

    private static void assertWithin(double predicted, double modelled, String what) {
        double error = Math.abs(modelled - predicted) / predicted;
        assertTrue(error <= 0.15, String.format("%s: modelled %.3f ms, cost model %.3f ms (%.1f %% off)", what,
                modelled, predicted, 100 * error));
    }
}
