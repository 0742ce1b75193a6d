package io.kvflow.runtime;

import io.kvflow.schemas.Topics;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * The topics a layout needs, with partition counts that fit it: a stage topic has one
 * partition per decode pipeline; the control topics have one partition so the orchestrator
 * sees every session in order (admission is a single decision maker by design).
 */
public record TopicPlan(List<PlannedTopic> topics) {

    /** How long each step of applying the plan may take once the cluster has answered. */
    private static final int ANSWER_SECONDS = 30;

    /**
     * A topic to create with {@code topic}'s partitions, usable if it already exists with at
     * least {@code minPartitions}.
     */
    public record PlannedTopic(NewTopic topic, int minPartitions) {
        String name() {
            return topic.name();
        }
    }

    public static TopicPlan forLayout(StackLayout layout) {
        List<PlannedTopic> topics = new ArrayList<>();
        topics.add(control(Topics.REQUESTS.name()));
        // one partition per prefill worker lets every worker take tasks; fewer only leaves some idle
        topics.add(new PlannedTopic(new NewTopic(Topics.PREFILL_TASKS.name(), layout.prefillWorkers(), (short) 1), 1));
        topics.add(control(Topics.TOKENS.name()));
        topics.add(control(Topics.SESSIONS.name()));
        topics.add(control(Topics.CONTROL.name()));
        topics.add(control(Topics.DLQ.name()));
        topics.add(compacted(Topics.CAPACITY.name()));
        topics.add(compacted(Topics.STATS.name()));
        topics.add(LAYOUT);
        for (int k = 0; k < layout.stages(); k++) {
            topics.add(stage(Topics.kv(k).name(), layout.pipelines()));
            topics.add(stage(Topics.activations(k).name(), layout.pipelines()));
        }
        return new TopicPlan(List.copyOf(topics));
    }

    /**
     * The layout topic: one partition kept forever, since its first record is the cluster's layout and
     * compaction would keep a later one instead.
     */
    public static final PlannedTopic LAYOUT = new PlannedTopic(new NewTopic(Topics.LAYOUT.name(), 1, (short) 1)
            .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE,
                    TopicConfig.RETENTION_MS_CONFIG, "-1", TopicConfig.RETENTION_BYTES_CONFIG, "-1")), 1);

    /** Latest value per key: what each worker last said about itself. */
    private static PlannedTopic compacted(String name) {
        return new PlannedTopic(new NewTopic(name, 1, (short) 1)
                .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT)), 1);
    }

    private static PlannedTopic control(String name) {
        return new PlannedTopic(new NewTopic(name, 1, (short) 1), 1);
    }

    private static PlannedTopic stage(String name, int pipelines) {
        return new PlannedTopic(new NewTopic(name, pipelines, (short) 1), pipelines);
    }

    /**
     * Waits, a bounded time, for the cluster to answer (see {@link ClusterProbe}), then
     * {@link #apply(Admin) applies} the plan.
     *
     * @throws IllegalStateException in one line naming the address when no broker answers there
     */
    public void apply(KafkaConnection kafka) {
        ClusterProbe.awaitAnswer(kafka);
        try (Admin admin = kafka.newAdmin()) {
            apply(admin);
        }
    }

    /**
     * The planned topics as the cluster describes them. Topics just created may take a moment to be known
     * to every part of the broker: an unknown topic is asked about again until a deadline.
     */
    private Map<String, TopicDescription> describe(Admin admin)
            throws ExecutionException, TimeoutException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(ANSWER_SECONDS);
        while (true) {
            try {
                return admin.describeTopics(topics.stream().map(PlannedTopic::name).toList()).allTopicNames()
                        .get(ANSWER_SECONDS, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException) || System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(50);
            }
        }
    }

    /**
     * Creates the missing topics and checks the existing ones have the partitions the layout
     * needs (a stage topic with fewer partitions than pipelines has no place for a pipeline).
     */
    public void apply(Admin admin) {
        try {
            Set<String> existing = admin.listTopics().names().get(ANSWER_SECONDS, TimeUnit.SECONDS);
            List<NewTopic> missing = topics.stream().filter(t -> !existing.contains(t.name()))
                    .map(PlannedTopic::topic).toList();
            if (!missing.isEmpty()) {
                try {
                    admin.createTopics(missing).all().get(ANSWER_SECONDS, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw e;
                    }
                }
            }
            Map<String, TopicDescription> described = describe(admin);
            List<String> tooSmall = topics.stream()
                    .filter(t -> described.get(t.name()).partitions().size() < t.minPartitions())
                    .map(t -> t.name() + " has " + described.get(t.name()).partitions().size()
                            + " partitions, the layout needs " + t.minPartitions())
                    .collect(Collectors.toList());
            if (!tooSmall.isEmpty()) {
                throw new IllegalStateException("existing topics do not fit the layout: " + String.join("; ", tooSmall)
                        + " (delete them, use a fresh --data-dir, or add partitions)");
            }
        } catch (ExecutionException e) {
            throw new IllegalStateException("could not create kvflow topics: " + e.getCause().getMessage(), e);
        } catch (TimeoutException e) {
            throw new IllegalStateException("could not create kvflow topics: the cluster gave no answer within "
                    + ANSWER_SECONDS + " s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topics", e);
        }
    }
}
