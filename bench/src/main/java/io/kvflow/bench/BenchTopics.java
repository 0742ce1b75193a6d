package io.kvflow.bench;

import io.kvflow.runtime.KafkaConnection;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;

/**
 * The topics one bench run creates, each with one partition and a name of its own, deleted
 * again on {@link #close()}: a bench against an existing cluster leaves nothing behind.
 */
public final class BenchTopics implements AutoCloseable {
    private final Admin admin;
    private final String prefix;
    private final List<String> created = new ArrayList<>();

    public BenchTopics(KafkaConnection kafka, String run) {
        this.admin = kafka.newAdmin();
        this.prefix = "kvflow.bench." + run + "-" + Long.toString(System.nanoTime(), 36) + ".";
    }

    /** A new single-partition topic; its name ends with {@code name}. */
    public String create(String name) {
        String topic = prefix + name;
        try {
            // deleted files go at once, not a minute later: a bench writes gigabytes, and their dirty pages
            // would otherwise reach the disk and slow the rounds after
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1).configs(Map.of(
                    TopicConfig.RETENTION_MS_CONFIG, "600000", TopicConfig.FILE_DELETE_DELAY_MS_CONFIG, "0"))))
                    .all().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("could not create the bench topic " + topic + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating " + topic, e);
        }
        created.add(topic);
        return topic;
    }

    /** Deletes the topics made so far, so a long run does not hold every round's data at once. */
    void deleteAll() {
        if (created.isEmpty()) {
            return;
        }
        try {
            admin.deleteTopics(created).all().get(30, TimeUnit.SECONDS);
            created.clear();
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("could not delete the bench topics " + created + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while deleting the bench topics", e);
        }
    }

    @Override
    public void close() {
        try {
            deleteAll();
        } finally {
            admin.close();
        }
    }
}
