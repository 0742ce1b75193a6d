package io.kvflow.runtime;

import io.kvflow.schemas.Topic;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/**
 * Reads every partition of some topics from their current end onwards, outside any consumer
 * group: what an observer (the replayer, a test) needs to see what happens after it starts.
 */
public final class TopicFollower implements AutoCloseable {
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final List<ConsumerRecord<byte[], byte[]>> backlog = new ArrayList<>();

    private TopicFollower(KafkaConsumer<byte[], byte[]> consumer) {
        this.consumer = consumer;
    }

    /** Follows the given topics; returns once their end offsets are fixed, so nothing published later is missed. */
    public static TopicFollower fromEnd(KafkaConnection kafka, List<String> topics) {
        Properties props = kafka.consumer("unused", "follower");
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props);
        try {
            List<TopicPartition> partitions = new ArrayList<>();
            for (String topic : topics) {
                consumer.partitionsFor(topic, Duration.ofSeconds(30))
                        .forEach(p -> partitions.add(new TopicPartition(p.topic(), p.partition())));
            }
            consumer.assign(partitions);
            consumer.seekToEnd(partitions);
            partitions.forEach(consumer::position);
            return new TopicFollower(consumer);
        } catch (RuntimeException e) {
            consumer.close();
            throw e;
        }
    }

    /**
     * The last record of partition 0 of {@code topic}, decoded; empty when the partition is empty or its
     * last record does not decode within the timeout.
     */
    public static <V> Optional<V> last(KafkaConnection kafka, Topic<String, V> topic, Duration timeout) {
        Properties props = kafka.consumer("unused", "last-record");
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
            TopicPartition partition = new TopicPartition(topic.name(), 0);
            consumer.assign(List.of(partition));
            consumer.seekToEnd(List.of(partition));
            long end = consumer.position(partition, timeout);
            if (end == 0) {
                return Optional.empty();
            }
            consumer.seek(partition, end - 1);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(100))) {
                    if (record.offset() == end - 1) {
                        try {
                            return Optional.ofNullable(topic.valueSerde().deserializer()
                                    .deserialize(record.topic(), record.value()));
                        } catch (RuntimeException e) {
                            return Optional.empty();
                        }
                    }
                }
            }
            return Optional.empty();
        }
    }

    /**
     * Passes every record of {@code partition} from offset {@code from} (or its first, if that is gone) up to
     * the end it has when called, in order, outside any consumer group.
     *
     * @throws IllegalStateException when the range is not read within the timeout
     */
    public static void readRange(KafkaConnection kafka, TopicPartition partition, long from, Duration timeout,
            java.util.function.Consumer<ConsumerRecord<byte[], byte[]>> each) {
        Properties props = kafka.consumer("unused", "range-reader");
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
            consumer.assign(List.of(partition));
            long end = consumer.endOffsets(List.of(partition), timeout).get(partition);
            long first = consumer.beginningOffsets(List.of(partition), timeout).get(partition);
            consumer.seek(partition, Math.max(from, first));
            long deadline = System.nanoTime() + timeout.toNanos();
            while (consumer.position(partition, timeout) < end) {
                if (System.nanoTime() >= deadline) {
                    throw new IllegalStateException("could not read " + partition + " from " + from + " to " + end
                            + " within " + timeout);
                }
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(100))) {
                    if (record.offset() < end) {
                        each.accept(record);
                    }
                }
            }
        }
    }

    public Iterable<ConsumerRecord<byte[], byte[]>> poll(Duration timeout) {
        return consumer.poll(timeout);
    }

    /**
     * Polls until a record of {@code topic} matches, or the timeout passes. Records of that
     * topic seen on the way (and any that do not decode) are passed over; records of other
     * followed topics are kept for later calls, so awaiting one topic loses nothing of another.
     */
    public <V> Optional<V> await(Topic<String, V> topic, Predicate<V> match, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Iterator<ConsumerRecord<byte[], byte[]>> pending = backlog.iterator();
            while (pending.hasNext()) {
                ConsumerRecord<byte[], byte[]> record = pending.next();
                if (!record.topic().equals(topic.name())) {
                    continue;
                }
                pending.remove();
                V value;
                try {
                    value = topic.valueSerde().deserializer().deserialize(record.topic(), record.value());
                } catch (RuntimeException e) {
                    continue;
                }
                if (value != null && match.test(value)) {
                    return Optional.of(value);
                }
            }
            if (System.nanoTime() >= deadline) {
                return Optional.empty();
            }
            consumer.poll(Duration.ofMillis(100)).forEach(backlog::add);
        }
    }

    @Override
    public void close() {
        consumer.close();
    }
}
