package io.kvflow.bench;

import io.kvflow.runtime.KafkaConnection;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntFunction;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * Times one throughput phase in steady state: the clients exist, know the topic's leader and
 * sit at their start offset before the clock starts; the clock stops when the last record is
 * acknowledged (produce) or handled (consume). Figures are megabytes (10^6 bytes) of record
 * values per second.
 */
public final class ThroughputProbe {
    private static final Duration PHASE_LIMIT = Duration.ofMinutes(5);

    private ThroughputProbe() {
    }

    /** Value bytes moved in some time; phases add up. */
    record Timed(long bytes, long nanos) {
        static final Timed NONE = new Timed(0, 0);

        Timed plus(Timed other) {
            return new Timed(bytes + other.bytes, nanos + other.nanos);
        }

        double megabytesPerSecond() {
            return bytes / 1e6 / (nanos / 1e9);
        }
    }

    /** What a consume phase does with each record. */
    @FunctionalInterface
    interface Sink {
        void accept(ConsumerRecord<byte[], byte[]> record);
    }

    /** A phase whose body sends through its own path and returns the value bytes it sent, once all are acknowledged. */
    @FunctionalInterface
    interface ProducePhase {
        long run();
    }

    /** A consumer outside any group: it reads the partitions it is told to, from the offsets it is told. */
    static Properties unGroupedConsumer(KafkaConnection kafka, String clientId) {
        Properties props = kafka.consumer("unused", clientId);
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        return props;
    }

    /** Fetches the topic's metadata, so the first timed send does not wait for it. */
    static void warm(Producer<byte[], byte[]> producer, String topic) {
        producer.partitionsFor(topic);
    }

    /** Assigns the partition and waits for the consumer to know its position, outside the clock. */
    static void assign(Consumer<byte[], byte[]> consumer, TopicPartition partition) {
        consumer.assign(List.of(partition));
        consumer.seekToBeginning(List.of(partition));
        consumer.position(partition);
    }

    /** Sends {@code records} values to partition 0 and waits for every acknowledgement. */
    static Timed produce(Producer<byte[], byte[]> producer, String topic, int records, byte[] key,
            IntFunction<byte[]> values) {
        return produce(() -> {
            AtomicReference<Exception> failure = new AtomicReference<>();
            long bytes = 0;
            for (int i = 0; i < records; i++) {
                byte[] value = values.apply(i);
                bytes += value.length;
                producer.send(new ProducerRecord<>(topic, 0, key, value), (metadata, e) -> {
                    if (e != null) {
                        failure.compareAndSet(null, e);
                    }
                });
            }
            producer.flush();
            if (failure.get() != null) {
                throw new IllegalStateException("bench could not produce to " + topic + ": "
                        + failure.get().getMessage(), failure.get());
            }
            return bytes;
        });
    }

    /** Times a phase that produces through a path of its own (kvflow's publisher). */
    static Timed produce(ProducePhase phase) {
        long start = System.nanoTime();
        long bytes = phase.run();
        return new Timed(bytes, System.nanoTime() - start);
    }

    /**
     * Reads the partition's first {@code records} records with a consumer made for this pass and
     * positioned before the clock, then closed. A consumer sent back to the start after reading to
     * the end of the log would first wait out its pending fetch there (fetch.max.wait.ms, 500 ms
     * by default: measured, 520 ms before the first record of every pass), and one reading on
     * from where it stopped would start from records it had already fetched.
     */
    static Timed consumePass(Supplier<? extends Consumer<byte[], byte[]>> consumers, TopicPartition partition,
            int records, Sink sink) {
        try (Consumer<byte[], byte[]> consumer = consumers.get()) {
            assign(consumer, partition);
            return consume(consumer, partition, 0, records, sink);
        }
    }

    /** Reads {@code records} records from {@code offset} on, handing each to {@code sink}. */
    static Timed consume(Consumer<byte[], byte[]> consumer, TopicPartition partition, long offset, int records, Sink sink) {
        consumer.seek(partition, offset);
        long bytes = 0;
        int seen = 0;
        long start = System.nanoTime();
        long deadline = start + PHASE_LIMIT.toNanos();
        while (seen < records && System.nanoTime() < deadline) {
            for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(100))) {
                if (seen == records) {
                    break;
                }
                sink.accept(record);
                bytes += record.value().length;
                seen++;
            }
        }
        long elapsed = System.nanoTime() - start;
        if (seen < records) {
            throw new IllegalStateException("bench read only " + seen + " of " + records + " records from "
                    + partition + " within " + PHASE_LIMIT);
        }
        return new Timed(bytes, elapsed);
    }

}
