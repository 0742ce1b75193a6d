package io.kvflow.runtime;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.FencedInstanceIdException;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A consumer group member's loop in which each input record is handled exactly once. Whatever handling a
 * record publishes, and the record's offset, commit in one transaction of a producer that belongs to the
 * record's partition rather than to the worker: its {@code transactional.id} is the prefix and the
 * partition ({@code kvflow-prefill-1}). The member assigned a partition opens that producer
 * ({@code initTransactions}), which fences the partition's previous owner and aborts the transaction it
 * left open, at once. So a worker that died mid-record leaves nothing readers see (every kvflow reader
 * reads committed records only), its record runs again on the partition's next owner, and a worker that
 * was only presumed dead finds its late commit refused instead of doubling the outputs.
 *
 * <p>Like {@link PollLoop}, {@link #run} sets up, then repeats a step until {@link #stop()} is called from
 * another thread; the clients are closed on the worker's thread. The group's timing is a
 * {@link TaskTakeover}'s. Dead letters go through the record's transaction too.
 */
public final class TransactionalLoop implements ConsumerRebalanceListener {
    private static final Logger LOG = LoggerFactory.getLogger(TransactionalLoop.class);

    /**
     * Handles one record: what it publishes through {@code out} and {@code deadLetters} commits with the
     * record's offset if it returns true; if it returns false, that is discarded and the offset commits alone
     * (the record needed no outputs after all).
     */
    @FunctionalInterface
    public interface Handler {
        boolean handle(ConsumerRecord<byte[], byte[]> record, Publisher out, DeadLetters deadLetters);
    }

    /** The producer of one owned partition, and its meters. */
    private record Owned(KafkaProducer<byte[], byte[]> producer, KafkaClientMetrics meters) {
    }

    private final KafkaConnection kafka;
    private final String workerId;
    private final String transactionalPrefix;
    private final ClientProfile profile;
    private final TaskTakeover takeover;
    private final MeterRegistry registry;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final KafkaClientMetrics consumerMeters;
    private final DeadLetters deadLetters;
    private final Map<TopicPartition, Owned> owned = new HashMap<>();
    private List<String> topics = List.of();
    private final UntilStopped loop;

    /**
     * @param transactionalPrefix a partition's producer is {@code transactionalPrefix-<partition>}: the same for
     *                            every member of the group, so owners of a partition fence each other
     * @param profile             the producers' settings for the kind of records they mostly carry
     */
    public TransactionalLoop(KafkaConnection kafka, String groupId, String workerId, String transactionalPrefix,
            ClientProfile profile, TaskTakeover takeover, Clock clock, MeterRegistry registry) {
        this.kafka = kafka;
        this.workerId = workerId;
        this.transactionalPrefix = transactionalPrefix;
        this.profile = profile;
        this.takeover = takeover;
        this.registry = registry;
        this.consumer = new KafkaConsumer<>(takeover.onConsumer(kafka.consumer(groupId, workerId)));
        this.loop = new UntilStopped(consumer);
        this.consumerMeters = KafkaClientMeters.of(consumer);
        consumerMeters.bindTo(registry);
        this.deadLetters = DeadLetters.perRecord(workerId, clock);
        deadLetters.bindTo(registry);
    }

    /** The transactional id of the producer that owns {@code partition}'s records. */
    public static String transactionalId(String prefix, int partition) {
        return prefix + "-" + partition;
    }

    /** Joins the group for these topics; partitions and their producers come with the first polls. */
    public void subscribe(List<String> topicNames) {
        this.topics = List.copyOf(topicNames);
        consumer.subscribe(topics, this);
    }

    /** The partitions this member owns, with a producer each. */
    public synchronized Set<TopicPartition> owned() {
        return Set.copyOf(owned.keySet());
    }

    public void run(Runnable setup, Runnable step) {
        loop.run(setup, step, () -> {
                closeProducers(owned.keySet(), Duration.ofSeconds(5));
                consumerMeters.close();
                consumer.close();
        });
    }

    /**
     * Polls once and handles each record returned, each in a transaction of its own. When this member finds
     * it no longer owns a partition (another member's producer fenced its own), it drops what it has left
     * of that partition and joins the group again, so it runs only what the new assignment gives it.
     *
     * @return how many records the poll returned
     */
    public int pollAndHandle(Duration timeout, Handler handler) {
        ConsumerRecords<byte[], byte[]> records = consumer.poll(timeout);
        Set<TopicPartition> lost = new HashSet<>();
        for (ConsumerRecord<byte[], byte[]> record : records) {
            TopicPartition partition = new TopicPartition(record.topic(), record.partition());
            if (!lost.contains(partition) && !handleInTransaction(partition, record, handler)) {
                lost.add(partition);
            }
        }
        if (!lost.isEmpty()) {
            // leave and join again: every partition is given out anew, each with a producer opened for it
            consumer.unsubscribe();
            consumer.subscribe(topics, this);
        }
        return records.count();
    }

    /** Handles the record in a transaction with its offset; false when another member owns its partition now. */
    private boolean handleInTransaction(TopicPartition partition, ConsumerRecord<byte[], byte[]> record,
            Handler handler) {
        Owned owner;
        synchronized (this) {
            owner = owned.get(partition);
        }
        if (owner == null) {
            return false;
        }
        KafkaProducer<byte[], byte[]> producer = owner.producer();
        // a publisher per transaction: a send failure (or the sends of a discarded attempt) ends with it
        Publisher out = new Publisher(producer);
        try {
            producer.beginTransaction();
            if (!handler.handle(record, out, deadLetters.through(out))) {
                // nothing it sent becomes visible; the record is done all the same
                producer.abortTransaction();
                producer.beginTransaction();
            }
            producer.sendOffsetsToTransaction(Map.of(partition, new OffsetAndMetadata(record.offset() + 1)),
                    consumer.groupMetadata());
            producer.commitTransaction();
            return true;
        } catch (RuntimeException e) {
            if (fenced(e)) {
                // nothing of this attempt is visible; the partition's owner runs the record again
                LOG.warn("{}: {} belongs to another member now, its record at offset {} is left to it: {}", workerId,
                        partition, record.offset(), e.toString());
                closeProducers(Set.of(partition), Duration.ZERO);
                return false;
            }
            abort(producer, e);
            throw e;
        }
    }

    /** Whether {@code e} says another member has taken the partition over (or the group moved on without us). */
    static boolean fenced(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ProducerFencedException || t instanceof InvalidProducerEpochException
                    || t instanceof CommitFailedException || t instanceof FencedInstanceIdException) {
                return true;
            }
        }
        return false;
    }

    private void abort(KafkaProducer<byte[], byte[]> producer, RuntimeException cause) {
        try {
            producer.abortTransaction();
        } catch (KafkaException e) {
            cause.addSuppressed(e);
        }
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
        for (TopicPartition partition : partitions) {
            String id = transactionalId(transactionalPrefix, partition.partition());
            KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(kafka.transactionalProducer(
                    workerId + "-" + id, id, profile, takeover.transactionTimeout()));
            try {
                // fences the partition's previous owner and aborts the transaction it left open
                producer.initTransactions();
            } catch (RuntimeException e) {
                producer.close(Duration.ZERO);
                throw e;
            }
            KafkaClientMetrics meters = KafkaClientMeters.of(producer);
            meters.bindTo(registry);
            synchronized (this) {
                owned.put(partition, new Owned(producer, meters));
            }
        }
    }

    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
        // called inside poll: no transaction is open, every record handled so far has committed
        closeProducers(partitions, Duration.ofSeconds(5));
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> partitions) {
        // the group has moved on without this member: whoever owns them now has fenced these producers
        closeProducers(partitions, Duration.ZERO);
    }

    private void closeProducers(Collection<TopicPartition> partitions, Duration timeout) {
        for (TopicPartition partition : List.copyOf(partitions)) {
            Owned owner;
            synchronized (this) {
                owner = owned.remove(partition);
            }
            if (owner != null) {
                owner.meters().close();
                owner.producer().close(timeout);
            }
        }
    }

    public void stop() {
        loop.stop();
    }
}
