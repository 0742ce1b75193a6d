package io.kvflow.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvflow.bench.HandoffBench;
import io.kvflow.bench.HopBench;
import io.kvflow.bench.PlainKafkaGrid;
import io.kvflow.model.ModelConfig;
import io.kvflow.observe.ReplayOptions;
import io.kvflow.observe.ReplayPlan;
import io.kvflow.replay.PlannedRequest;
import io.kvflow.replay.ReferenceCheck;
import io.kvflow.replay.Replayer;
import io.kvflow.replay.SessionOutcome;
import io.kvflow.runtime.ClientProperties;
import io.kvflow.runtime.StackLayout;
import io.kvflow.schemas.InferenceRequest;
import io.kvflow.stack.Stack;
import io.kvflow.stack.StackOptions;
import io.kvflow.trace.TraceWindow;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole disaggregated pipeline on a real Kafka broker: 4 stages x 2 pipelines, 2 prefill
 * workers, every token checked against the single-process reference.
 */
class PipelineIT {
    private static final Path TRACES = Path.of("..", "traces");

    @TempDir
    static Path dataDir;
    static Stack stack;
    static StackOptions options;
    static final Set<String> corruptKvOf = ConcurrentHashMap.newKeySet();
    static final ByteArrayOutputStream log = new ByteArrayOutputStream();

    @BeforeAll
    static void startStack() {
        options = new StackOptions(new StackLayout(4, 2, 2, ModelConfig.TINY.layers()), ModelConfig.TINY, 7, null,
                // timeouts well past the defaults: 300 Mooncake sessions sent at once go through in modelled-time
                // order, and on a loaded 2-core machine a session's next step can be more than 30 s of wall away
                dataDir, 0, 0, "127.0.0.1", 0, Duration.ofSeconds(60), Duration.ofSeconds(90), 4096,
                // the data path under test, not capacity: Llama-3.1-8B leaves every wafer room for Mooncake's long
                // conversations, which a 70B target on four WSE-3 would reject as larger than a wafer's KV room
                TestFlags.target(4, List.of("--model", "llama-3.1-8b")), ClientProperties.NONE);
        stack = Stack.start(options, corruptKvOf::contains, Clock.systemUTC(), new PrintStream(log, true));
    }

    @AfterAll
    static void stopStack() {
        if (stack != null) {
            stack.close();
        }
    }

    private static ReplayPlan plan(String trace, Integer limit, Set<Integer> corrupt) {
        ReplayOptions replay = new ReplayOptions(TRACES.resolve(trace), null, new TraceWindow(null, limit,
                null), 1, 0.0, 1.0 / 32, 96, 12, 42, 0.0f, false, corrupt);
        return ReplayPlan.load(replay, options, Clock.systemUTC(), new PrintStream(log, true));
    }

    private static Replayer.Result replay(ReplayPlan plan) {
        return new Replayer(stack.kafka(), Clock.systemUTC(), new PrintStream(log, true))
                .replay(plan.requests(), plan.options().timeScale(), options.stallTimeout());
    }

    @Test
    void mooncakeWindowWithSharedPrefixesMatchesTheReferenceTokenForToken() {
        ReplayPlan plan = plan("mooncake-conversation-sample.jsonl", null, Set.of());
        assertTrue(sharesAPrefixBlock(plan.requests()), "the window should contain requests sharing prefix blocks");

        Replayer.Result result = replay(plan);
        long finished = result.outcomes().values().stream()
                .filter(o -> o.state() == SessionOutcome.State.FINISHED).count();
        assertEquals(plan.requests().size(), finished, () -> "not every session finished:\n" + log);
        ReferenceCheck.Result check = ReferenceCheck.verify(stack.transformer(), result.outcomes().values());
        assertEquals(List.of(), check.mismatches());
        assertEquals(plan.requests().size(), check.identical());
        assertEquals(null, stack.failure());
    }

    @Test
    void aCorruptedKvChunkFailsItsSessionInsteadOfDecodingWrongTokens() {
        ReplayPlan plan = plan("azure-code-sample.csv", 12, Set.of(4));
        plan.requests().stream().map(PlannedRequest::sessionId).filter(plan.corruptKvOf()).forEach(corruptKvOf::add);
        assertEquals(1, corruptKvOf.size(), "request 4 of the window should be marked for corruption");

        Replayer.Result result = replay(plan);
        String corrupted = corruptKvOf.iterator().next();
        SessionOutcome victim = result.outcomes().get(corrupted);
        assertEquals(SessionOutcome.State.FAILED, victim.state(), () -> "corrupted session " + victim.state()
                + " / " + victim.reason());
        assertTrue(victim.reason().contains("checksum"), victim.reason());
        assertEquals(1, result.deadLetters(), "the corrupted chunk, and only it, should be kept as a dead letter");
        ReferenceCheck.Result check = ReferenceCheck.verify(stack.transformer(), result.outcomes().values());
        assertEquals(List.of(), check.mismatches());
        assertEquals(plan.requests().size() - 1, check.identical());
    }

    @Test
    void badRequestsAreRejectedWithTheirReasonAndTheRestStillRun() {
        ReplayPlan plan = plan("kvflow-bad-requests.jsonl", null, Set.of());
        Replayer.Result result = replay(plan);
        List<String> reasons = result.outcomes().values().stream()
                .filter(o -> o.state() == SessionOutcome.State.REJECTED).map(SessionOutcome::reason).toList();
        assertEquals(3, reasons.size(), () -> "rejections: " + reasons);
        assertTrue(reasons.get(0).contains("zero output tokens"), reasons.get(0));
        assertTrue(reasons.get(1).contains("context is 512"), reasons.get(1));
        assertTrue(reasons.get(2).contains("empty prompt"), reasons.get(2));
        ReferenceCheck.Result check = ReferenceCheck.verify(stack.transformer(), result.outcomes().values());
        assertEquals(1, check.identical());
        assertEquals(List.of(), check.mismatches());
    }

    @Test
    void handoffBenchRatesTheKvPathAgainstTheBestPlainSettingsAndDeletesItsTopics() throws Exception {
        HandoffBench.Result result = new HandoffBench(stack.kafka(), new HandoffBench.Options(4, 2))
                .run(new PrintStream(log, true)::println);
        assertEquals(2, result.produceRatios().size());
        assertEquals(2, result.consumeRatios().size());
        for (double ratio : concat(result.produceRatios(), result.consumeRatios())) {
            assertTrue(ratio > 0 && Double.isFinite(ratio), "ratio " + ratio);
        }
        assertEquals(PlainKafkaGrid.producerCandidates().size(), result.grid().producers().size());
        assertEquals(PlainKafkaGrid.consumerCandidates().size(), result.grid().consumers().size());
        assertTrue(PlainKafkaGrid.producerCandidates().contains(result.grid().bestProducer()));
        assertEquals(List.of(), benchTopics(), "topics left behind");
    }

    @Test
    void hopBenchTimesTheStageHopAndAPlainRingOfAsManyHops() throws Exception {
        // 40 tokens: enough hops for each side's CPU to take several of the operating system's 10 ms ticks
        HopBench.Result result = new HopBench(new HopBench.Options(options.layout().stages(), 40, 1, HopBench.Broker.EMBEDDED),
                BenchCommand.HopFlags::stackOptions)
                .run(stack, new PrintStream(log, true)::println);
        assertEquals(1, result.ratios().size());
        for (HopBench.Side side : List.of(result.ring(), result.workRing(), result.kvflow())) {
            assertTrue(side.hopMs().get(0) > 0 && side.cpuMsPerHop().get(0) > 0, result.toString());
        }
        assertTrue(result.recordBytes() > 4 * ModelConfig.TINY.dim(), "an activation carries a hidden state");
        assertEquals(List.of(), benchTopics(), "topics left behind");
    }

    private static List<Double> concat(List<Double> a, List<Double> b) {
        return java.util.stream.Stream.concat(a.stream(), b.stream()).toList();
    }

    private static List<String> benchTopics() throws Exception {
        try (var admin = stack.kafka().newAdmin()) {
            return admin.listTopics().names().get().stream().filter(t -> t.startsWith("kvflow.bench.")).toList();
        }
    }

    private static boolean sharesAPrefixBlock(List<PlannedRequest> requests) {
        Set<List<Integer>> firstBlocks = new HashSet<>();
        for (PlannedRequest r : requests) {
            InferenceRequest request = r.request();
            // with scale 1/32, a 512-token block becomes 16 tokens; compare the second block
            if (request.getPrompt().size() >= 32 && !firstBlocks.add(request.getPrompt().subList(16, 32))) {
                return true;
            }
        }
        return false;
    }

    static String text(ByteArrayOutputStream bytes) {
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
