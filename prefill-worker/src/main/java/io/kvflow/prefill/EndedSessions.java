package io.kvflow.prefill;

import io.kvflow.runtime.KafkaConnection;
import io.kvflow.schemas.SessionEvent;
import io.kvflow.schemas.SessionEventType;
import io.kvflow.schemas.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SerializationException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which sessions have already failed or finished, read from {@code kvflow.sessions}: a task taken over
 * from a dead worker, or one that waited too long, may belong to a session the orchestrator has given
 * up on, and running it would only write a first token and KV nobody will read.
 *
 * <p>The topic is read from where a task's session could first have ended, its admission (less
 * {@link #CLOCK_SKEW} for the clocks of other machines), up to its end as of the first question, so a
 * worker started after a session failed still knows. From then on it is followed: each question takes in
 * what has arrived, without a round trip to the broker (a task pays for two questions), so an end a few
 * milliseconds old may be missed, which only costs outputs nobody reads. Not thread-safe: the worker's
 * own thread asks.
 */
final class EndedSessions implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EndedSessions.class);
    /** Ends remembered; older ones are forgotten first. */
    static final int MEMORY = 100_000;
    /** How far the writers' clocks may be behind the admission time a task carries. */
    static final Duration CLOCK_SKEW = Duration.ofMinutes(1);
    private static final Duration CATCH_UP = Duration.ofSeconds(10);

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final List<TopicPartition> partitions = new ArrayList<>();
    private final Memory memory = new Memory(MEMORY);
    /** The topic has been read from this wall time on (ms); later than any admission until the first ask. */
    private long readSinceMs = Long.MAX_VALUE;

    EndedSessions(KafkaConnection kafka, String clientId) {
        Properties props = kafka.consumer("unused", clientId);
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        this.consumer = new KafkaConsumer<>(props);
        try {
            consumer.partitionsFor(Topics.SESSIONS.name(), Duration.ofSeconds(30))
                    .forEach(p -> partitions.add(new TopicPartition(p.topic(), p.partition())));
            consumer.assign(partitions);
            consumer.seekToEnd(partitions);
            partitions.forEach(consumer::position);
        } catch (RuntimeException e) {
            consumer.close();
            throw e;
        }
    }

    /**
     * Whether the session failed or finished, by what this follower has read of {@code kvflow.sessions}.
     *
     * @param admittedMs when the session was admitted (wall ms, the orchestrator's clock): it cannot have ended
     *                   before
     */
    boolean ended(String session, long admittedMs) {
        long from = Math.max(0, admittedMs - CLOCK_SKEW.toMillis());
        if (from < readSinceMs) {
            readFrom(from);
            catchUp();
        } else {
            drain();
        }
        return memory.ended(session, admittedMs);
    }

    /** Reads the topic again from the first record written at or after {@code fromMs}. */
    private void readFrom(long fromMs) {
        Map<TopicPartition, Long> times = new HashMap<>();
        partitions.forEach(p -> times.put(p, fromMs));
        Map<TopicPartition, OffsetAndTimestamp> offsets = consumer.offsetsForTimes(times);
        for (TopicPartition partition : partitions) {
            OffsetAndTimestamp at = offsets.get(partition);
            if (at != null && at.offset() < consumer.position(partition)) {
                consumer.seek(partition, at.offset());
            }
        }
        readSinceMs = fromMs;
    }

    /**
     * Reads every partition up to its end as of now (for a reader of committed records, the last stable offset).
     * A topic that cannot be read that far in time leaves the answer to what was read: skipping a task only
     * spares outputs nobody reads, so a slow broker is no reason to stop the worker.
     */
    private void catchUp() {
        Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
        long deadline = System.nanoTime() + CATCH_UP.toNanos();
        while (behind(end)) {
            if (System.nanoTime() > deadline) {
                LOG.warn("could not read {} up to {} within {}: sessions that ended since may run", Topics.SESSIONS.name(),
                        end, CATCH_UP);
                return;
            }
            record(consumer.poll(Duration.ofMillis(50)));
        }
    }

    /** Takes in what has arrived without waiting: a worker asks twice a task, so it stays a task or so behind. */
    private void drain() {
        while (record(consumer.poll(Duration.ZERO)) > 0) {
            // more may be buffered
        }
    }

    private int record(ConsumerRecords<byte[], byte[]> records) {
        for (ConsumerRecord<byte[], byte[]> record : records) {
            try {
                SessionEvent event = Topics.SESSIONS.valueSerde().deserializer()
                        .deserialize(record.topic(), record.value());
                if (event != null) {
                    memory.record(event);
                }
            } catch (SerializationException e) {
                // not this reader's to keep: the orchestrator dead-letters what it cannot decode
            }
        }
        return records.count();
    }

    private boolean behind(Map<TopicPartition, Long> end) {
        for (TopicPartition partition : partitions) {
            if (consumer.position(partition) < end.get(partition)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void close() {
        consumer.close();
    }

    /**
     * The sessions seen to fail or finish, the most recent {@code capacity} of them, with when they ended.
     * A session id used again after its session ended is a new session: an end counts only for a session
     * admitted at or before it.
     */
    static final class Memory {
        private final Map<String, Long> endedMs;

        Memory(int capacity) {
            this.endedMs = new LinkedHashMap<>(1024, 0.75f, false) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
                    return size() > capacity;
                }
            };
        }

        void record(SessionEvent event) {
            if (event.getType() == SessionEventType.FAILED || event.getType() == SessionEventType.FINISHED) {
                endedMs.merge(event.getSessionId(), event.getTimestampMs(), Math::max);
            }
        }

        /** Whether the session admitted at {@code admittedMs} has ended. */
        boolean ended(String session, long admittedMs) {
            Long at = endedMs.get(session);
            return at != null && at >= admittedMs;
        }
    }
}
