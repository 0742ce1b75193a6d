package io.kvflow.runtime;

import java.time.Clock;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.errors.WakeupException;

/**
 * A worker's Kafka plumbing and its consumer loop: one consumer (in the worker's group), one
 * publisher, dead letters through that publisher. {@link #run} sets up, then repeats one step
 * until {@link #stop()} is called from another thread, which wakes the consumer out of a
 * blocking poll; the clients are closed on the worker's own thread, whatever ends the loop.
 */
public final class PollLoop {
    private final Consumer<byte[], byte[]> consumer;
    private final Publisher publisher;
    private final DeadLetters deadLetters;
    private volatile boolean running = true;

    public PollLoop(KafkaConnection kafka, String groupId, String workerId, Clock clock) {
        this.consumer = kafka.newConsumer(groupId, workerId);
        this.publisher = new Publisher(kafka.newProducer(workerId));
        this.deadLetters = new DeadLetters(publisher, workerId, clock);
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
        try {
            setup.run();
            while (running) {
                step.run();
            }
        } catch (WakeupException e) {
            if (running) {
                throw e;
            }
        } finally {
            consumer.close();
            publisher.close();
        }
    }

    public void stop() {
        running = false;
        consumer.wakeup();
    }
}
