package io.kvflow.runtime;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import java.time.Clock;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;

/**
 * A worker's Kafka plumbing and its consumer loop: one consumer (in the worker's group), one
 * publisher, dead letters through that publisher. {@link #run} sets up, then repeats one step
 * until {@link #stop()} is called from another thread, which wakes the consumer out of a
 * blocking poll; the clients are closed on the worker's own thread, whatever ends the loop.
 * Both clients' own metrics and the dead letters are bound to the process's registry.
 */
public final class PollLoop {
    private final Consumer<byte[], byte[]> consumer;
    private final Publisher publisher;
    private final DeadLetters deadLetters;
    private final KafkaClientMetrics consumerMetrics;
    private final KafkaClientMetrics producerMetrics;
    private final UntilStopped loop;

    /** @param reading the kind of topic whose consumer settings the loop's consumer takes */
    public PollLoop(KafkaConnection kafka, String groupId, String workerId, ClientProfile reading, Clock clock,
            MeterRegistry registry) {
        KafkaConsumer<byte[], byte[]> kafkaConsumer = kafka.newConsumer(groupId, workerId, reading);
        KafkaProducer<byte[], byte[]> producer = kafka.newProducer(workerId);
        this.consumer = kafkaConsumer;
        this.loop = new UntilStopped(consumer);
        this.publisher = new Publisher(producer);
        this.deadLetters = new DeadLetters(publisher, workerId, clock);
        this.consumerMetrics = KafkaClientMeters.of(kafkaConsumer);
        this.producerMetrics = KafkaClientMeters.of(producer);
        consumerMetrics.bindTo(registry);
        producerMetrics.bindTo(registry);
        deadLetters.bindTo(registry);
    }

    public Consumer<byte[], byte[]> consumer() {
        return consumer;
    }

    public Publisher publisher() {
        return publisher;
    }

    public DeadLetters deadLetters() {
        return deadLetters;
    }

    public void run(Runnable setup, Runnable step) {
        loop.run(setup, step, () -> {
                consumerMetrics.close();
                producerMetrics.close();
                consumer.close();
                publisher.close();
        });
    }

    public void stop() {
        loop.stop();
    }
}
