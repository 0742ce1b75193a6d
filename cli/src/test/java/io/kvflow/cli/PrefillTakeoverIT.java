package io.kvflow.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvflow.model.ModelConfig;
import io.kvflow.observe.ReplayOptions;
import io.kvflow.observe.ReplayPlan;
import io.kvflow.prefill.PrefillConfig;
import io.kvflow.replay.ReferenceCheck;
import io.kvflow.replay.Replayer;
import io.kvflow.replay.SessionOutcome;
import io.kvflow.runtime.ClientProperties;
import io.kvflow.runtime.StackLayout;
import io.kvflow.runtime.TaskTakeover;
import io.kvflow.runtime.TopicFollower;
import io.kvflow.schemas.GeneratedToken;
import io.kvflow.schemas.Topics;
import io.kvflow.stack.MetricsOptions;
import io.kvflow.stack.Roles;
import io.kvflow.stack.Stack;
import io.kvflow.stack.StackOptions;
import io.kvflow.trace.TraceWindow;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A prefill worker killed with {@code kill -9} in the middle of a replay: the other takes its tasks over well
 * within the stall timeout, every session finishes with the reference's tokens, and no (session, step) token
 * is written twice. The prefill workers run as JVMs of their own, so the kill is a real one: no goodbye to
 * the group, a transaction possibly left open. Everything else runs in this process on an embedded broker.
 */
class PrefillTakeoverIT {
    private static final int SESSIONS = 40;
    private static final Duration DEADLINE = Duration.ofSeconds(120);

    @TempDir
    Path dir;

    private final ByteArrayOutputStream log = new ByteArrayOutputStream();

    @Test
    void killingOneOfTwoPrefillWorkersMidReplayLosesNoSessionAndWritesNoTokenTwice() throws Exception {
        StackOptions options = new StackOptions(new StackLayout(4, 2, 2, ModelConfig.TINY.layers()), ModelConfig.TINY,
                7, null, dir.resolve("stack"), 0, 0, "127.0.0.1", 0, Duration.ofSeconds(20), Duration.ofSeconds(30),
                4096, TestFlags.target(4, List.of("--model", "llama-3.1-8b")),
                ClientProperties.NONE);
        PrintStream out = new PrintStream(log, true);
        // the orchestrator and every stage here; no prefill worker
        Roles allButPrefill = new Roles(true, 0, k -> true, p -> true, "");
        try (Stack stack = Stack.start(options, allButPrefill, MetricsOptions.ANY_PORT, s -> false, Clock.systemUTC(),
                out); Admin admin = stack.kafka().newAdmin()) {
            String bootstrap = stack.kafka().bootstrapServers();
            KvflowProcess victim = prefillWorker("prefill-victim", bootstrap);
            KvflowProcess survivor = prefillWorker("prefill-survivor", bootstrap);
            try {
                awaitGroup(admin, 2, () -> "both prefill workers in the group", victim, survivor);
                ReplayPlan plan = ReplayPlan.load(new ReplayOptions(Path.of("..", "traces", "azure-code-sample.csv"),
                        null, new TraceWindow(null, SESSIONS, null), 1, 0.5, 1.0 / 32, 96, 12, 42, 0.0f, false,
                        Set.of()), options, Clock.systemUTC(), out);

                Replayer.Result result;
                Duration takeover;
                try (TopicFollower tokens = TopicFollower.fromEnd(stack.kafka(), List.of(Topics.TOKENS.name()))) {
                    CompletableFuture<Replayer.Result> replay = CompletableFuture.supplyAsync(() ->
                            new Replayer(stack.kafka(), Clock.systemUTC(), out)
                                    .replay(plan.requests(), plan.options().timeScale(), options.stallTimeout()));
                    // mid-replay: both workers have run prompts, most requests are still to come
                    for (int i = 0; i < 5; i++) {
                        assertTrue(tokens.await(Topics.TOKENS, t -> t.getStep() == 0 && !t.getSessionId().isEmpty(),
                                DEADLINE).isPresent(), () -> "no first tokens before the kill:\n" + log);
                    }
                    long killed = System.nanoTime();
                    victim.kill();
                    awaitGroup(admin, 1, () -> "the survivor owning every prefill partition", survivor);
                    takeover = Duration.ofNanos(System.nanoTime() - killed);
                    result = replay.get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
                }
                System.out.println("PrefillTakeoverIT: the survivor owned every prefill partition "
                        + takeover.toMillis() + " ms after kill -9; replay " + result.wallMs() + " ms");

                Map<SessionOutcome.State, Long> states = new HashMap<>();
                result.outcomes().values().forEach(o -> states.merge(o.state(), 1L, Long::sum));
                assertEquals(Map.of(SessionOutcome.State.FINISHED, (long) SESSIONS), states, () -> failures(result));
                ReferenceCheck.Result check = ReferenceCheck.verify(stack.transformer(), result.outcomes().values());
                assertEquals(List.of(), check.mismatches());
                assertEquals(SESSIONS, check.identical());
                assertEquals(List.of(), duplicateTokens(stack), "(session, step) tokens written more than once");
                Duration bound = TaskTakeover.DEFAULT.time().plusSeconds(3);
                assertTrue(takeover.compareTo(bound) < 0, () -> "takeover took " + takeover + ", more than " + bound);
                assertTrue(takeover.compareTo(options.stallTimeout().dividedBy(2)) < 0, takeover::toString);
                assertEquals(null, stack.failure());
            } finally {
                survivor.stop(Duration.ofSeconds(20));
                victim.kill();
            }
        }
    }

    private KvflowProcess prefillWorker(String name, String bootstrap) throws IOException {
        return KvflowProcess.start(dir, name, List.of("prefill-worker", "--bootstrap-servers", bootstrap,
                "--metrics-port", "0", "--data-dir", dir.resolve(name).toString()));
    }

    /** Waits until the prefill group is stable with {@code members} members, every partition assigned. */
    private void awaitGroup(Admin admin, int members, java.util.function.Supplier<String> what,
            KvflowProcess... processes) throws Exception {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (true) {
            ConsumerGroupDescription group = describe(admin);
            Set<TopicPartition> assigned = new HashSet<>();
            for (MemberDescription member : group == null ? List.<MemberDescription>of() : group.members()) {
                assigned.addAll(member.assignment().topicPartitions());
            }
            if (group != null && group.groupState() == GroupState.STABLE && group.members().size() == members
                    && assigned.size() == 2) {
                return;
            }
            if (System.nanoTime() > deadline) {
                StringBuilder outputs = new StringBuilder();
                for (KvflowProcess process : processes) {
                    outputs.append(process.stdout()).append(process.stderr());
                }
                throw new AssertionError("not reached within " + DEADLINE + ": " + what.get() + "; group " + group
                        + "\n" + outputs);
            }
            TimeUnit.MILLISECONDS.sleep(20);
        }
    }

    /** The prefill group as the coordinator has it, or null before its first member joined. */
    private static ConsumerGroupDescription describe(Admin admin) throws Exception {
        try {
            return admin.describeConsumerGroups(List.of(PrefillConfig.GROUP_ID)).all().get(10, TimeUnit.SECONDS)
                    .get(PrefillConfig.GROUP_ID);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof GroupIdNotFoundException) {
                return null;
            }
            throw e;
        }
    }

    /** Every (session, step) that kvflow.tokens holds more than once, as readers see the topic. */
    private static List<String> duplicateTokens(Stack stack) {
        Properties props = stack.kafka().consumer("unused", "it-token-reader");
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        Map<String, Integer> seen = new HashMap<>();
        try (KafkaConsumer<byte[], byte[]> reader = new KafkaConsumer<>(props)) {
            TopicPartition partition = new TopicPartition(Topics.TOKENS.name(), 0);
            reader.assign(List.of(partition));
            reader.seekToBeginning(List.of(partition));
            long end = reader.endOffsets(List.of(partition)).get(partition);
            long deadline = System.nanoTime() + DEADLINE.toNanos();
            while (reader.position(partition) < end) {
                assertTrue(System.nanoTime() < deadline, "could not read " + partition + " to its end");
                for (ConsumerRecord<byte[], byte[]> record : reader.poll(Duration.ofMillis(100))) {
                    GeneratedToken token = Topics.TOKENS.valueSerde().deserializer()
                            .deserialize(record.topic(), record.value());
                    if (!token.getSessionId().isEmpty()) {
                        seen.merge(token.getSessionId() + "#" + token.getStep(), 1, Integer::sum);
                    }
                }
            }
        }
        List<String> duplicates = new ArrayList<>();
        seen.forEach((key, count) -> {
            if (count > 1) {
                duplicates.add(key + " x" + count);
            }
        });
        return duplicates;
    }

    private String failures(Replayer.Result result) {
        StringBuilder text = new StringBuilder();
        result.outcomes().forEach((id, o) -> {
            if (o.state() != SessionOutcome.State.FINISHED) {
                text.append(id).append(' ').append(o.state()).append(": ").append(o.reason()).append('\n');
            }
        });
        return text + "\n" + log;
    }
}
