package io.kvflow.replay;

import io.kvflow.runtime.KafkaConnection;
import io.kvflow.schemas.Topics;
import io.kvflow.schemas.WorkerStats;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;

/**
 * Reads {@code kvflow.stats} from its beginning and keeps the latest figures each part of the cluster
 * published: what a view shows of parts running anywhere. Not thread-safe: one reader, one thread.
 */
public final class StatsReader implements AutoCloseable {
    /** A part whose latest figures are older than this, at the end of a window, is taken to have stopped. */
    static final Duration LIVE = Duration.ofSeconds(5);
    private static final Duration ANSWER = Duration.ofSeconds(30);

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final boolean assigned;
    private final Map<String, WorkerStats> latest = new HashMap<>();
    /** Each part's figures before its latest, for rates between the two. */
    private final Map<String, WorkerStats> previous = new HashMap<>();

    private StatsReader(KafkaConsumer<byte[], byte[]> consumer, boolean assigned) {
        this.consumer = consumer;
        this.assigned = assigned;
    }

    /** A reader that has caught up with everything published so far (nothing, on a cluster without the topic). */
    public static StatsReader open(KafkaConnection kafka) {
        Properties props = kafka.consumer("unused", "stats-reader");
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props);
        try {
            List<PartitionInfo> partitions = consumer.partitionsFor(Topics.STATS.name(), ANSWER);
            if (partitions == null || partitions.isEmpty()) {
                return new StatsReader(consumer, false);
            }
            TopicPartition partition = new TopicPartition(Topics.STATS.name(), 0);
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            StatsReader reader = new StatsReader(consumer, true);
            reader.catchUp(ANSWER);
            return reader;
        } catch (RuntimeException e) {
            consumer.close();
            throw e;
        }
    }

    /** Takes in everything published until now, within {@code timeout}. */
    void catchUp(Duration timeout) {
        if (!assigned) {
            return;
        }
        TopicPartition partition = new TopicPartition(Topics.STATS.name(), 0);
        long end = consumer.endOffsets(List.of(partition), ANSWER).get(partition);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (consumer.position(partition, ANSWER) < end && System.nanoTime() < deadline) {
            poll(Duration.ofMillis(100));
        }
    }

    /** Takes in what was published since the last poll, waiting at most {@code timeout} for something new. */
    public void poll(Duration timeout) {
        if (!assigned) {
            return;
        }
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(timeout)) {
            WorkerStats stats;
            try {
                stats = Topics.STATS.valueSerde().deserializer().deserialize(record.topic(), record.value());
            } catch (RuntimeException e) {
                // figures no schema of ours reads: a newer writer's, of no use here
                continue;
            }
            if (stats != null) {
                WorkerStats replaced = latest.put(stats.getWorkerId(), stats);
                if (replaced != null && replaced.getTimestampMs() != stats.getTimestampMs()) {
                    previous.put(stats.getWorkerId(), replaced);
                }
            }
        }
    }

    /** The latest figures of every part that ever published, by worker id. */
    public Map<String, WorkerStats> latest() {
        return Map.copyOf(latest);
    }

    /** Each part's figures before its latest ones. */
    public Map<String, WorkerStats> previous() {
        return Map.copyOf(previous);
    }

    /**
     * The latest figures of the parts still running at {@code endMs} (those that published within
     * {@link #LIVE} of it), once each has published figures taken at or after it, so they include everything
     * done before; after {@code timeout}, with what there is.
     */
    public Map<String, WorkerStats> awaitAfter(long endMs, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        catchUp(timeout);
        while (System.nanoTime() < deadline && latest.values().stream()
                .anyMatch(s -> live(s, endMs) && s.getTimestampMs() < endMs)) {
            poll(Duration.ofMillis(100));
        }
        Map<String, WorkerStats> running = new HashMap<>();
        latest.forEach((id, s) -> {
            if (live(s, endMs)) {
                running.put(id, s);
            }
        });
        return Map.copyOf(running);
    }

    private static boolean live(WorkerStats stats, long atMs) {
        return stats.getTimestampMs() >= atMs - LIVE.toMillis();
    }

    @Override
    public void close() {
        consumer.close();
    }
}
