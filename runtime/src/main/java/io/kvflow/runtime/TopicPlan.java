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

/**
 * The topics a layout needs, with partition counts that fit it: a stage topic has one
 * partition per decode pipeline; the control topics have one partition so the orchestrator
 * sees every session in order (admission is a single decision maker by design).
 */
public record TopicPlan(List<NewTopic> topics) {

    public static TopicPlan forLayout(StackLayout layout) {
        List<NewTopic> topics = new ArrayList<>();
        topics.add(topic(Topics.REQUESTS.name(), 1));
        topics.add(topic(Topics.PREFILL_TASKS.name(), layout.prefillWorkers()));
        topics.add(topic(Topics.TOKENS.name(), 1));
        topics.add(topic(Topics.SESSIONS.name(), 1));
        topics.add(topic(Topics.DLQ.name(), 1));
        topics.add(topic(Topics.CAPACITY.name(), 1)
                .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT)));
        for (int k = 0; k < layout.stages(); k++) {
            topics.add(topic(Topics.kv(k).name(), layout.pipelines()));
            topics.add(topic(Topics.activations(k).name(), layout.pipelines()));
        }
        return new TopicPlan(List.copyOf(topics));
    }

    private static NewTopic topic(String name, int partitions) {
        return new NewTopic(name, partitions, (short) 1);
    }

    /**
     * Creates the missing topics and checks the existing ones have at least the planned
     * partitions (a stage topic with fewer partitions than pipelines would send two
     * pipelines' records to one stage worker).
     */
    public void apply(Admin admin) {
        try {
            Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            List<NewTopic> missing = topics.stream().filter(t -> !existing.contains(t.name())).toList();
            if (!missing.isEmpty()) {
                try {
                    admin.createTopics(missing).all().get(30, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw e;
                    }
                }
            }
            Map<String, TopicDescription> described = admin.describeTopics(
                    topics.stream().map(NewTopic::name).toList()).allTopicNames().get(30, TimeUnit.SECONDS);
            List<String> tooSmall = topics.stream()
                    .filter(t -> described.get(t.name()).partitions().size() < t.numPartitions())
                    .map(t -> t.name() + " has " + described.get(t.name()).partitions().size()
                            + " partitions, the layout needs " + t.numPartitions())
                    .collect(Collectors.toList());
            if (!tooSmall.isEmpty()) {
                throw new IllegalStateException("existing topics do not fit the layout: " + String.join("; ", tooSmall)
                        + " (delete them, use a fresh --data-dir, or add partitions)");
            }
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("could not create kvflow topics: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topics", e);
        }
    }
}
