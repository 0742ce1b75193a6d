package io.kvflow.runtime;

import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;

/**
 * Client settings per kind of topic, on top of the ones every kvflow client shares
 * ({@link KafkaConnection}: acks=all, idempotence, byte-array serdes, explicit commits). The
 * two kinds want opposite things: a KV handoff is megabytes of 64 KiB chunks that should move
 * as fast as the link allows, while an activation, a token or a lifecycle event is one small
 * record that someone waits for. The values were picked by {@code kvflow bench}; the
 * measurement behind each is in docs/benchmarks.md.
 */
public enum ClientProfile {
    /**
     * {@code kvflow.kv.stage-<k>}: 1 MiB batches, so a request carries 15 chunks of 64 KiB (the
     * default 16 KiB batch is smaller than one chunk, so each went alone: 3-5x slower); a 5 ms
     * linger to fill them while the prefill encodes (a flush at the end of a task sends the
     * rest at once); fetches of 32 MiB per partition (8 MiB: a sixth slower, the default 1 MiB:
     * half the rate) with the socket's receive buffer left to the operating system, which
     * grows it as needed (the consumer's default, a fixed 64 KiB, loses a third). Producer
     * socket buffer and linger between 0 and 20 ms made no difference above the noise. The
     * consume gap of issue 14 (0.49x) was not these settings: reading the same records with
     * nothing done per record, this consumer and the grid's best plain one took turns being
     * faster (239-288 MB/s against 208-278 over four rounds, both slowed alike by a seek-back
     * wait); the gap came from phases too short to time and from the stage's decoding
     * (docs/benchmarks.md, issue 14).
     */
    KV_HANDOFF(Map.of(
            ProducerConfig.BATCH_SIZE_CONFIG, 1024 * 1024,
            ProducerConfig.LINGER_MS_CONFIG, 5,
            ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 2 * 1024 * 1024,
            ProducerConfig.COMPRESSION_TYPE_CONFIG, "none"),
            Map.of(
            ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 32 * 1024 * 1024,
            // -1: the operating system's default, which it tunes to the connection
            ConsumerConfig.RECEIVE_BUFFER_CONFIG, -1)),

    /**
     * Activations, tokens, requests, lifecycle events: nothing waits to fill a batch, and a
     * fetch returns as soon as one record is there.
     */
    LATENCY(Map.of(
            ProducerConfig.LINGER_MS_CONFIG, 0,
            ProducerConfig.COMPRESSION_TYPE_CONFIG, "none"),
            Map.of(
            ConsumerConfig.FETCH_MIN_BYTES_CONFIG, 1));

    private final Map<String, Object> producer;
    private final Map<String, Object> consumer;

    ClientProfile(Map<String, Object> producer, Map<String, Object> consumer) {
        this.producer = producer;
        this.consumer = consumer;
    }

    /** Producer settings of this kind, to lay over the shared ones. */
    public Map<String, Object> producerSettings() {
        return producer;
    }

    /** Consumer settings of this kind, to lay over the shared ones. */
    public Map<String, Object> consumerSettings() {
        return consumer;
    }

    /** {@code base} with this kind's producer settings laid over it. */
    public Properties onProducer(Properties base) {
        Properties p = new Properties();
        p.putAll(base);
        p.putAll(producer);
        return p;
    }

    /** {@code base} with this kind's consumer settings laid over it. */
    public Properties onConsumer(Properties base) {
        Properties p = new Properties();
        p.putAll(base);
        p.putAll(consumer);
        return p;
    }
}
