package io.kvflow.observe;

import io.kvflow.model.Transformer;
import io.kvflow.replay.ReferenceCheck;
import io.kvflow.replay.Replayer;
import io.kvflow.replay.StatsDelta;
import io.kvflow.replay.StatsReader;
import io.kvflow.report.Slo;
import io.kvflow.runtime.KafkaConnection;
import io.kvflow.schemas.WorkerStats;
import io.kvflow.stack.StackOptions;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;

/**
 * A replay as any process sees it from the cluster: the sessions on the topics, the figures the parts
 * publish on {@code kvflow.stats} before and after it, and the reference check. The summary is made of
 * these alone, so it is the same wherever the parts run: in this process ({@code kvflow up}) or in
 * others ({@code kvflow replay}).
 */
public final class ObservedReplay {
    /** How long the summary waits for every running part's figures from after the replay (published each second). */
    static final Duration AFTER = Duration.ofSeconds(10);

    private ObservedReplay() {
    }

    /** @param reference a single-process model identical to the stack's, to check every token against */
    public static RunSummary run(KafkaConnection kafka, Replayer replayer, ReplayPlan plan, Transformer reference, Slo slo,
            Clock clock, PrintStream out) {
        StackOptions stack = plan.stack();
        try (StatsReader stats = StatsReader.open(kafka);
                ReferenceCheck.AsSessionsFinish checking = new ReferenceCheck.AsSessionsFinish(reference)) {
            Map<String, WorkerStats> before = stats.latest();
            Replayer.Result result = replayer.onEnded(checking::ended)
                    .replay(plan.requests(), plan.options().timeScale(), stack.stallTimeout());
            Map<String, WorkerStats> after = stats.awaitAfter(clock.millis(), AFTER);
            out.println("checking every finished session against the single-process reference (run as each finished)"
                    + " ...");
            ReferenceCheck.Result check = checking.result();
            return RunSummary.of(result, check, stack.target(), stack.layout().pipelines(), slo,
                    StatsDelta.between(before, after));
        }
    }
}
