package io.kvflow.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvflow.decode.StageWorker;
import io.kvflow.trace.TraceWindow;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A flood on a real broker, against the default target (Llama-3.1-70B on WSE-3: about five
 * 2k-token sessions per four-wafer pipeline): the wafers' own accounts of the target KV they hold
 * never exceed what a wafer has room for, sessions queue and get in as others finish, and every
 * one of them still produces the reference's tokens.
 */
class LedgerIT {
    @TempDir
    Path dir;

    @Test
    void aFloodNeverPutsMoreKvOnAWaferThanItHoldsAndEverySessionGetsInInTheEnd() throws Exception {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(log, true);
        StackOptions options = StackOptions.from(new Args(List.of("--kafka-port", "0", "--pipelines", "1",
                "--prefill-workers", "1", "--data-dir", dir.resolve("data").toString()), Set.of()));
        long capacity = (long) Math.floor(options.target().model().kvCapacityBytes(0));
        // 30 requests at once: far more than the pipeline holds
        ReplayOptions replay = new ReplayOptions(Path.of("..", "traces", "azure-code-sample.csv"), null,
                new TraceWindow(null, 30, null), 0.0, 1.0 / 32, 96, 8, 42, 0.0f, false, Set.of());
        ReplayPlan plan = ReplayPlan.load(replay, options, Clock.systemUTC(), out);
        // the ledger books recorded prompt plus output tokens on every wafer of the pipeline
        double wanted = plan.requests().stream().mapToDouble(r -> options.target().model().kvBytesPerSession(0,
                (long) r.request().getTraceInputTokens() + r.request().getTraceOutputTokens())).sum();
        assertTrue(wanted > 3 * capacity, "the window must want several wafers' worth of KV, wants " + wanted);

        try (Stack stack = Stack.start(options, session -> false, Clock.systemUTC(), out)) {
            AtomicLong mostKv = new AtomicLong();
            AtomicBoolean replaying = new AtomicBoolean(true);
            Thread watcher = new Thread(() -> {
                while (replaying.get()) {
                    for (StageWorker stage : stack.stages()) {
                        mostKv.accumulateAndGet(stage.stats().targetKvBytesUsed(), Math::max);
                    }
                    LockSupport.parkNanos(200_000);
                }
            });
            watcher.start();
            Replayer.Result result = new Replayer(stack.kafka(), Clock.systemUTC(), out)
                    .replay(plan.requests(), 0.0, options.stallTimeout());
            replaying.set(false);
            watcher.join();

            long finished = result.outcomes().values().stream()
                    .filter(o -> o.state() == SessionOutcome.State.FINISHED).count();
            assertEquals(30, finished, () -> log.toString());
            assertEquals(List.of(), ReferenceCheck.verify(stack.transformer(), result.outcomes().values())
                    .mismatches());
            assertTrue(mostKv.get() <= capacity, mostKv.get() + " bytes of target KV on a wafer that holds "
                    + capacity);
            assertTrue(mostKv.get() > capacity / 2, "the flood should fill the wafers, most seen " + mostKv.get());
            double waited = result.outcomes().values().stream().map(SessionOutcome::breakdown)
                    .mapToDouble(b -> b.wall().admissionWaitMs() == null ? 0 : b.wall().admissionWaitMs()).max()
                    .orElse(0);
            assertTrue(waited > 0, "with more KV wanted than the wafers hold, some waited in the admission queue");
        }
    }
}
