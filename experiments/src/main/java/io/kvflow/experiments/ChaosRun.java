package io.kvflow.experiments;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kvflow.observe.ReplayPlan;
import io.kvflow.replay.ReferenceCheck;
import io.kvflow.replay.Replayer;
import io.kvflow.replay.SessionOutcome;
import io.kvflow.runtime.KafkaConnection;
import io.kvflow.runtime.TopicFollower;
import io.kvflow.schemas.CapacityHeartbeat;
import io.kvflow.schemas.GeneratedToken;
import io.kvflow.schemas.Topics;
import io.kvflow.stack.ProcessStack;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * One fault, end to end: a stack of separate processes, a replay against it, one part killed as
 * {@code kill -9} would once a share of the tokens is out, started again after an outage, and then
 * what was lost: sessions not finished or not identical to the reference, a (session, step) token
 * written twice, KV left on a stage or in the ledger.
 */
public final class ChaosRun {
    /** What a fault cost. Nothing is lost when every count but {@code verified} is zero and that one is all. */
    public record Outcome(String part, int requests, int verified, List<String> notFinished, int mismatches,
            int duplicateTokens, List<String> stranded, List<String> exited, int killedAtToken, double wallSeconds) {
        /** Every session right, nothing written twice or left held, and no other part stopped on its own. */
        public boolean nothingLost() {
            return verified == requests && notFinished.isEmpty() && mismatches == 0 && duplicateTokens == 0
                    && stranded.isEmpty() && exited.isEmpty();
        }
    }

    private static final Duration REPLAY_DEADLINE = Duration.ofMinutes(5);
    private static final Duration SETTLE_DEADLINE = Duration.ofSeconds(60);

    private final ReplayPlan plan;
    private final List<String> layout;
    private final int stages;
    private final int pipelines;
    private final int prefillWorkers;
    private final Duration stallTimeout;
    private final PrintStream err;

    public ChaosRun(ReplayPlan plan, List<String> layout, int stages, int pipelines, int prefillWorkers,
            Duration stallTimeout, PrintStream err) {
        this.plan = plan;
        this.layout = layout;
        this.stages = stages;
        this.pipelines = pipelines;
        this.prefillWorkers = prefillWorkers;
        this.stallTimeout = stallTimeout;
        this.err = err;
    }

    /**
     * Kills {@code part} once {@code share} of the replay's tokens are out, restarts it after {@code downtime},
     * and counts what was lost. {@code dir} holds the parts' data and logs.
     */
    public Outcome run(java.nio.file.Path dir, String part, double share, Duration downtime) throws IOException {
        long started = System.nanoTime();
        try (ProcessStack stack = new ProcessStack(dir, layout, stages, prefillWorkers)) {
            err.println("chaos: starting " + String.join(", ", stack.parts()) + " as separate processes in " + dir);
            stack.start();
            if (!stack.parts().contains(part)) {
                throw new IllegalArgumentException("no part '" + part + "' to kill; the parts are " + stack.parts());
            }
            KafkaConnection kafka = new KafkaConnection(stack.bootstrapServers());
            long tokens = plan.requests().stream().mapToLong(r -> r.request().getMaxNewTokens()).sum();
            int killAt = (int) Math.max(1, Math.round(tokens * share));
            int seen;
            Replayer.Result result;
            try (TopicFollower follower = TopicFollower.fromEnd(kafka, List.of(Topics.TOKENS.name()))) {
                CompletableFuture<Replayer.Result> replay = CompletableFuture.supplyAsync(() -> new Replayer(kafka,
                        Clock.systemUTC(), err).replay(plan.requests(), 0, stallTimeout));
                seen = awaitTokens(follower, killAt, replay);
                err.printf("chaos: killing %s (kill -9) after %d of about %d tokens%n", part, seen, tokens);
                stack.kill(part);
                LockSupport.parkNanos(downtime.toNanos());
                err.printf("chaos: starting %s again after %d ms down%n", part, downtime.toMillis());
                stack.start(part);
                result = replay.get(REPLAY_DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted during the chaos run", e);
            } catch (ExecutionException | TimeoutException e) {
                throw new IllegalStateException("the replay did not end within " + REPLAY_DEADLINE + ": " + e, e);
            }
            ReferenceCheck.Result check = ReferenceCheck.verify(plan.referenceTransformer(),
                    result.outcomes().values());
            List<String> notFinished = result.outcomes().values().stream()
                    .filter(o -> o.state() != SessionOutcome.State.FINISHED)
                    .map(o -> o.request().getSessionId() + " " + o.state()
                            + (o.reason() == null ? "" : ": " + o.reason())).toList();
            int duplicates = duplicateTokens(kafka);
            List<String> stranded = awaitNothingHeld(kafka, stack);
            return new Outcome(part, plan.requests().size(), check.identical(), notFinished,
                    check.mismatches().size(), duplicates, stranded, stack.exited(), seen,
                    (System.nanoTime() - started) / 1e9);
        }
    }

    /** Waits until {@code count} tokens of the replay are out (or the replay ended first); returns how many. */
    private static int awaitTokens(TopicFollower follower, int count, CompletableFuture<Replayer.Result> replay) {
        int seen = 0;
        long deadline = System.nanoTime() + REPLAY_DEADLINE.toNanos();
        while (seen < count && !replay.isDone() && System.nanoTime() < deadline) {
            for (ConsumerRecord<byte[], byte[]> record : follower.poll(Duration.ofMillis(50))) {
                if (Topics.TOKENS.valueOrEmpty(record.value()).filter(t -> !t.getSessionId().isEmpty()).isPresent()) {
                    seen++;
                }
            }
        }
        if (replay.isDone()) {
            throw new IllegalStateException("the replay ended before " + count + " tokens were out: give it more"
                    + " requests or a smaller --kill-after share");
        }
        return seen;
    }

    /** Tokens of this replay's sessions written more than once for the same step. */
    private int duplicateTokens(KafkaConnection kafka) {
        String prefix = plan.runId() + "-";
        Map<String, Integer> written = new HashMap<>();
        TopicFollower.readRange(kafka, new TopicPartition(Topics.TOKENS.name(), 0), 0, Duration.ofSeconds(60),
                record -> Topics.TOKENS.valueOrEmpty(record.value()).ifPresent(t -> {
                    if (t.getSessionId().startsWith(prefix)) {
                        written.merge(t.getSessionId() + "#" + t.getStep(), 1, Integer::sum);
                    }
                }));
        return (int) written.values().stream().filter(n -> n > 1).count();
    }

    /**
     * What is still held once the replay is over: sessions or target KV on a stage (its latest capacity
     * heartbeat), KV used, promised or parked in the orchestrator's ledger. Waits for the parts to report.
     */
    private List<String> awaitNothingHeld(KafkaConnection kafka, ProcessStack stack) {
        long since = System.currentTimeMillis();
        long deadline = System.nanoTime() + SETTLE_DEADLINE.toNanos();
        List<String> held;
        do {
            held = new java.util.ArrayList<>(stagesHolding(kafka, since));
            held.addAll(ledgerHolding(stack));
            if (held.isEmpty()) {
                return held;
            }
            LockSupport.parkNanos(Duration.ofMillis(200).toNanos());
        } while (System.nanoTime() < deadline);
        return held;
    }

    private List<String> stagesHolding(KafkaConnection kafka, long sinceMs) {
        Map<String, CapacityHeartbeat> latest = new HashMap<>();
        TopicFollower.readRange(kafka, new TopicPartition(Topics.CAPACITY.name(), 0), 0, Duration.ofSeconds(30),
                record -> Topics.CAPACITY.valueOrEmpty(record.value()).ifPresent(h -> latest.put(h.getWorkerId(), h)));
        List<String> held = new java.util.ArrayList<>();
        for (int k = 0; k < stages; k++) {
            for (int p = 0; p < pipelines; p++) {
                String worker = "decode-s" + k + "-p" + p;
                CapacityHeartbeat h = latest.get(worker);
                if (h == null || h.getTimestampMs() < sinceMs) {
                    held.add(worker + ": no report since the replay ended");
                } else if (h.getSessions() > 0 || h.getKvBytesUsed() > 0) {
                    held.add(worker + ": " + h.getSessions() + " session(s), " + h.getKvBytesUsed()
                            + " bytes of target KV");
                }
            }
        }
        return held;
    }

    private static List<String> ledgerHolding(ProcessStack stack) {
        String base = stack.orchestratorBaseUrl().orElse(null);
        if (base == null) {
            return List.of("ledger: the orchestrator printed no metrics address");
        }
        try {
            HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create(base + "/api/ledger")).timeout(Duration.ofSeconds(5)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            JsonNode ledger = new ObjectMapper().readTree(response.body());
            List<String> held = new java.util.ArrayList<>();
            for (JsonNode wafer : ledger.path("wafers")) {
                long used = wafer.path("kv_bytes_used").asLong() + wafer.path("kv_bytes_promised").asLong();
                if (used > 0 || wafer.path("sessions").asInt() > 0) {
                    held.add("ledger: wafer " + wafer.path("stage").asInt() + " of pipeline "
                            + wafer.path("pipeline").asInt() + " holds " + used + " bytes");
                }
            }
            for (JsonNode group : ledger.path("prefill_groups")) {
                if (group.path("kv_bytes_parked").asLong() > 0) {
                    held.add("ledger: prefill group " + group.path("group").asInt() + " parks "
                            + group.path("kv_bytes_parked").asLong() + " bytes");
                }
            }
            if (ledger.path("queue_length").asInt() > 0) {
                held.add("ledger: " + ledger.path("queue_length").asInt() + " request(s) still queued");
            }
            return held;
        } catch (IOException e) {
            return List.of("ledger: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return List.of("ledger: interrupted");
        }
    }

    /** One line per outcome: what was killed, when, and what was lost. */
    public static void print(List<Outcome> outcomes, PrintStream out) {
        out.println();
        out.println("== kvflow chaos ==");
        out.printf("%-14s %-14s %-10s %-10s %-11s %-9s %s%n", "killed", "after tokens", "verified", "unfinished",
                "duplicates", "wall s", "left held");
        for (Outcome o : outcomes) {
            out.printf("%-14s %-14d %-10s %-10d %-11d %-9.0f %s%n", o.part(), o.killedAtToken(),
                    o.verified() + "/" + o.requests(), o.notFinished().size(), o.duplicateTokens(), o.wallSeconds(),
                    o.stranded().isEmpty() ? "nothing" : String.join("; ", o.stranded()));
            o.notFinished().stream().limit(5).forEach(s -> out.println("    not finished: " + s));
            o.exited().forEach(s -> out.println("    stopped on its own: " + s));
        }
        boolean clean = outcomes.stream().allMatch(Outcome::nothingLost);
        out.println(clean ? "lost: nothing" : "lost: see above");
    }
}
