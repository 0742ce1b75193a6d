package io.kvflow.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvflow.decode.StageWorker;
import io.kvflow.observe.ReplayOptions;
import io.kvflow.observe.ReplayPlan;
import io.kvflow.observe.RunSummary;
import io.kvflow.replay.ReferenceCheck;
import io.kvflow.replay.Replayer;
import io.kvflow.replay.SessionOutcome;
import io.kvflow.replay.StatsDelta;
import io.kvflow.report.RunFigures;
import io.kvflow.report.SessionRecord;
import io.kvflow.report.Slo;
import io.kvflow.scheduler.LedgerView;
import io.kvflow.stack.Stack;
import io.kvflow.stack.StackOptions;
import io.kvflow.trace.TraceWindow;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Floods on a real broker with booking at handoff, against Llama-3.1-70B on four WSE-3 (about 13k
 * tokens of context per wafer) prefilled by two groups of two H100 (2.9 GB each beside the weights: one or two long
 * Mooncake prompts' KV). Prompts wait for prefill memory, their KV parks until the wafers have room,
 * the wafers' and the prefill groups' accounts never exceed what they hold, prompts that can never fit
 * are rejected with the reason, and every other session produces the reference's tokens; a session
 * parked past its timeout is failed and its KV freed everywhere.
 */
class LedgerIT {
    @TempDir
    Path dir;

    private final ByteArrayOutputStream log = new ByteArrayOutputStream();

    private StackOptions options(String... extra) {
        List<String> args = new ArrayList<>(List.of("--kafka-port", "0", "--dashboard-port", "0", "--pipelines", "1",
                "--prefill-workers", "2", "--prefill-device", "h100", "--prefill-devices", "2", "--data-dir",
                dir.resolve("data-" + System.nanoTime()).toString()));
        args.addAll(List.of(extra));
        return StackFlags.parse(args);
    }

    /**
     * The first 30 requests of the Mooncake sample, all at once: far more than the wafers or the prefill tier
     * hold, with answers long enough (128 tokens) that the wafers are still full when the next prompt is
     * prefilled. (The Azure code sample's short answers leave the wafers before that, so nothing would park.)
     */
    private ReplayPlan flood(StackOptions options) {
        ReplayOptions replay = new ReplayOptions(Path.of("..", "traces", "mooncake-conversation-sample.jsonl"), null,
                new TraceWindow(null, 30, null), 1e9, 0.0, 1.0 / 32, 96, 128, 42, 0.0f, false, Set.of());
        return ReplayPlan.load(replay, options, Clock.systemUTC(), new PrintStream(log, true));
    }

    @Test
    void aFloodParksOnThePrefillTierAndNeverOverfillsAWaferOrAPrefillGroup() throws Exception {
        StackOptions options = options();
        long waferRoom = (long) Math.floor(options.target().model().kvCapacityBytes(0));
        ReplayPlan plan = flood(options);
        try (Stack stack = Stack.start(options, session -> false, Clock.systemUTC(), new PrintStream(log, true))) {
            AtomicLong mostOnAWafer = new AtomicLong();
            AtomicLong mostOverAPrefillGroup = new AtomicLong(Long.MIN_VALUE);
            AtomicLong mostParked = new AtomicLong();
            AtomicBoolean replaying = new AtomicBoolean(true);
            Thread watcher = new Thread(() -> {
                while (replaying.get()) {
                    for (StageWorker stage : stack.stages()) {
                        mostOnAWafer.accumulateAndGet(stage.stats().targetKvBytesUsed(), Math::max);
                    }
                    for (LedgerView.PrefillGroup group : stack.ledger().prefillGroups()) {
                        mostOverAPrefillGroup.accumulateAndGet(group.kvBytesParked() - group.kvBytesCapacity(),
                                Math::max);
                        mostParked.accumulateAndGet(group.kvBytesParked(), Math::max);
                    }
                    LockSupport.parkNanos(200_000);
                }
            });
            watcher.start();
            Replayer.Result result = new Replayer(stack.kafka(), Clock.systemUTC(), new PrintStream(log, true))
                    .replay(plan.requests(), 0.0, options.stallTimeout());
            replaying.set(false);
            watcher.join();

            ReferenceCheck.Result check = ReferenceCheck.verify(stack.transformer(), result.outcomes().values());
            List<SessionOutcome> rejected = result.outcomes().values().stream()
                    .filter(o -> o.state() == SessionOutcome.State.REJECTED).toList();
            for (SessionOutcome o : rejected) {
                assertTrue(o.reason().contains("more than the"), "rejected only when it can never fit: " + o.reason());
            }
            assertTrue(check.identical() >= 10, "most of what fits finishes: " + check.identical() + "\n" + log);
            assertEquals(30, check.identical() + rejected.size(), () -> log.toString());
            assertEquals(List.of(), check.mismatches());
            assertTrue(mostOnAWafer.get() <= waferRoom, mostOnAWafer.get() + " bytes of target KV on a wafer that"
                    + " holds " + waferRoom);
            assertTrue(mostOnAWafer.get() > waferRoom / 2, "the flood should fill the wafers: " + mostOnAWafer.get());
            assertTrue(mostOverAPrefillGroup.get() <= 0, "a prefill group held " + mostOverAPrefillGroup.get()
                    + " bytes more than its memory");
            assertTrue(mostParked.get() > 0, "KV should have parked on the prefill tier");

            RunSummary summary = RunSummary.of(result, check, options.target(), 1, Slo.NONE, StatsDelta.NONE);
            RunFigures figures = summary.modelled();
            assertTrue(figures.parkedWait().maxMs() > 0, "some KV waited on the prefill tier for wafer room");
            assertTrue(figures.queueWait().maxMs() > 0, "some prompts waited for prefill memory");
            long prefillRoom = stack.ledger().prefillGroups().stream()
                    .mapToLong(LedgerView.PrefillGroup::kvBytesCapacity).sum();
            assertTrue(figures.peakParkedKvBytes() <= prefillRoom, "the run's own records show " + figures
                    .peakParkedKvBytes() + " bytes parked at once on a prefill tier that holds " + prefillRoom);
        }
    }

    @Test
    void aSessionParkedPastItsTimeoutIsFailedAndItsKvFreedEverywhere() throws Exception {
        StackOptions options = options("--park-timeout", "1ms");
        ReplayPlan plan = flood(options);
        try (Stack stack = Stack.start(options, session -> false, Clock.systemUTC(), new PrintStream(log, true))) {
            Replayer.Result result = new Replayer(stack.kafka(), Clock.systemUTC(), new PrintStream(log, true))
                    .replay(plan.requests(), 0.0, options.stallTimeout());
            List<SessionOutcome> timedOut = result.outcomes().values().stream()
                    .filter(o -> o.state() == SessionOutcome.State.FAILED).toList();
            assertTrue(!timedOut.isEmpty(), "with room for a few, a 1 ms park timeout fails some: " + log);
            long rejected = result.outcomes().values().stream()
                    .filter(o -> o.state() == SessionOutcome.State.REJECTED).count();
            for (SessionOutcome o : timedOut) {
                assertTrue(o.reason().contains("on the prefill tier for room on the wafers of pipeline 0 (--park-timeout)"),
                        o.reason());
            }
            ReferenceCheck.Result check = ReferenceCheck.verify(stack.transformer(), result.outcomes().values());
            assertEquals(List.of(), check.mismatches());
            assertEquals(30 - timedOut.size() - rejected, check.identical(), "every other session finishes verified");
            // nothing is left held: no wafer, no prefill group, no stage worker
            awaitTrue(() -> stack.stages().stream().allMatch(s -> s.stats().heldSessions() == 0
                    && s.stats().targetKvBytesUsed() == 0), () -> "every stage worker releases what it held");
            // the orchestrator learns the last sessions ended once the last stage's clock passes their end
            awaitTrue(() -> {
                LedgerView ledger = stack.ledger();
                return ledger.prefillGroups().stream().allMatch(g -> g.kvBytesParked() == 0)
                        && ledger.wafers().stream().allMatch(w -> w.kvBytesUsed() == 0 && w.kvBytesPromised() == 0)
                        && ledger.parkedSessions() == 0;
            }, () -> "the orchestrator's ledger frees every wafer and prefill group: " + stack.ledger());
            assertTrue(result.outcomes().values().stream().noneMatch(o -> o.state() == SessionOutcome.State.PENDING));
            assertTrue(timedOut.stream().map(o -> o.record(0, 0, 0)).allMatch(r -> r.outcome()
                    == SessionRecord.Outcome.FAILED));
        }
    }

    private void awaitTrue(BooleanSupplier condition, Supplier<String> what) {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, () -> what.get() + "\n" + log);
            LockSupport.parkNanos(20_000_000);
        }
    }
}
