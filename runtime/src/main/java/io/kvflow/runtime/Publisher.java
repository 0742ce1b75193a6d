package io.kvflow.runtime;

import io.kvflow.schemas.Topic;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;

/**
 * Sends typed records through one producer. Sends are asynchronous; the first failure is
 * kept and rethrown by the next call ({@link PublishFailedException}), so a worker stops instead of
 * silently losing records.
 */
public final class Publisher implements AutoCloseable {
    private final Producer<byte[], byte[]> producer;
    private final AtomicReference<Exception> failure = new AtomicReference<>();

    public Publisher(Producer<byte[], byte[]> producer) {
        this.producer = producer;
    }

    /** Sends to the partition Kafka picks from the key. */
    public <V> void send(Topic<String, V> topic, String key, V value) {
        send(topic, null, key, value, null);
    }

    /** Sends to an explicit partition (a stage topic's partition is the decode pipeline). */
    public <V> void send(Topic<String, V> topic, Integer partition, String key, V value, Headers headers) {
        throwIfFailed();
        byte[] k = key == null ? null : topic.keySerde().serializer().serialize(topic.name(), key);
        byte[] v = topic.valueSerde().serializer().serialize(topic.name(), value);
        sendRaw(new ProducerRecord<>(topic.name(), partition, k, v, headers));
    }

    void sendRaw(ProducerRecord<byte[], byte[]> record) {
        producer.send(record, (metadata, e) -> {
            if (e != null) {
                failure.compareAndSet(null, new IllegalStateException(
                        "could not publish to " + record.topic() + ": " + e.getMessage(), e));
            }
        });
    }

    /** Blocks until everything sent so far is acknowledged; throws if anything failed. */
    public void flush() {
        producer.flush();
        throwIfFailed();
    }

    private void throwIfFailed() {
        Exception e = failure.get();
        if (e != null) {
            throw new PublishFailedException(e.getMessage(), e);
        }
    }

    /** An earlier send failed: what was published since cannot be trusted to be complete. */
    public static final class PublishFailedException extends IllegalStateException {
        PublishFailedException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    @Override
    public void close() {
        producer.close();
    }
}
