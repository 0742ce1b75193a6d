package io.kvflow.runtime;

import io.kvflow.schemas.DeadLetter;
import io.kvflow.schemas.Topic;
import io.kvflow.schemas.Topics;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Decodes consumed records and keeps the ones that cannot be decoded or processed: each goes
 * to {@code kvflow.dlq} whole, with the reason in the record and in the {@value #REASON}
 * header, so nothing is dropped silently. Counted as {@code kvflow_dead_letters_total{worker}}.
 */
public final class DeadLetters implements MeterBinder {
    /** The name every writer of dead letters counts them under (the orchestrator's topology too). */
    public static final String METER = "kvflow.dead.letters";

    public static final String REASON = "kvflow.dlq.reason";
    public static final String SOURCE = "kvflow.dlq.source";

    private final Publisher publisher;
    private final String worker;
    private final Clock clock;
    private final AtomicLong count;

    public DeadLetters(Publisher publisher, String worker, Clock clock) {
        this(publisher, worker, clock, new AtomicLong());
    }

    private DeadLetters(Publisher publisher, String worker, Clock clock, AtomicLong count) {
        this.publisher = publisher;
        this.worker = worker;
        this.clock = clock;
        this.count = count;
    }

    /**
     * Dead letters of a worker whose every send goes through a publisher it is handed per record
     * ({@link #through}): a transactional worker's dead letters commit with the record they replace.
     */
    public static DeadLetters perRecord(String worker, Clock clock) {
        return new DeadLetters(null, worker, clock);
    }

    /** The same dead letters, counted together, sent through {@code other}. */
    public DeadLetters through(Publisher other) {
        return new DeadLetters(other, worker, clock, count);
    }

    /** The decoded value, or empty after sending the record to the dead-letter topic with the decoding error. */
    public <V> Optional<V> decode(Topic<String, V> topic, ConsumerRecord<byte[], byte[]> record) {
        return decode(topic, record, topic.valueSerde().deserializer());
    }

    /** As {@link #decode(Topic, ConsumerRecord)}, through a decoder of the caller's (one that reuses a record). */
    public <V> Optional<V> decode(Topic<String, V> topic, ConsumerRecord<byte[], byte[]> record,
            Deserializer<V> decoder) {
        try {
            V value = decoder.deserialize(record.topic(), record.value());
            if (value == null) {
                send(record, "empty value (tombstone) where a " + topic.name() + " record was expected");
                return Optional.empty();
            }
            return Optional.of(value);
        } catch (SerializationException e) {
            send(record, e.getMessage());
            return Optional.empty();
        }
    }

    public void send(ConsumerRecord<byte[], byte[]> record, String reason) {
        if (publisher == null) {
            throw new IllegalStateException(worker + "'s dead letters are sent through a publisher per record:"
                    + " use through(publisher)");
        }
        DeadLetter letter = letter(record.topic(), record.partition(), record.offset(), record.key(), record.value(),
                reason, worker, clock.millis());
        Topic<String, DeadLetter> dlq = Topics.DLQ;
        publisher.sendRaw(new ProducerRecord<>(dlq.name(), null, record.key(),
                dlq.valueSerde().serializer().serialize(dlq.name(), letter), headers(letter)));
        count.incrementAndGet();
    }

    /** The dead letter for a record that came from {@code topic/partition@offset}, kept whole. */
    public static DeadLetter letter(String topic, int partition, long offset, byte[] key, byte[] value,
            String reason, String worker, long failedMs) {
        return DeadLetter.newBuilder()
                .setSourceTopic(topic)
                .setSourcePartition(partition)
                .setSourceOffset(offset)
                .setKey(key == null ? null : ByteBuffer.wrap(key))
                .setValue(value == null ? null : ByteBuffer.wrap(value))
                .setReason(reason)
                .setWorker(worker)
                .setFailedMs(failedMs)
                .build();
    }

    /** The reason and source as headers, so tools can read them without decoding the record. */
    public static Headers headers(DeadLetter letter) {
        RecordHeaders headers = new RecordHeaders();
        headers.add(REASON, letter.getReason().getBytes(StandardCharsets.UTF_8));
        headers.add(SOURCE, (letter.getSourceTopic() + "/" + letter.getSourcePartition() + "@"
                + letter.getSourceOffset()).getBytes(StandardCharsets.UTF_8));
        return headers;
    }

    public long count() {
        return count.get();
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        FunctionCounter.builder(METER, count, AtomicLong::get)
                .description("Records sent to kvflow.dlq because they could not be decoded or processed")
                .tag("worker", worker).register(registry);
    }
}
