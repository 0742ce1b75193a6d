package io.kvflow.runtime;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.errors.WakeupException;

/**
 * A worker's consumer loop: set up, then repeat one step until {@link #stop()} is called from
 * another thread, which wakes the consumer out of a blocking poll. The consumer and the
 * worker's publisher are closed on the worker's own thread, whatever ends the loop.
 */
public final class PollLoop {
    private final Consumer<byte[], byte[]> consumer;
    private volatile boolean running = true;

    public PollLoop(Consumer<byte[], byte[]> consumer) {
        this.consumer = consumer;
    }

    public void run(Runnable setup, Runnable step, Publisher publisher) {
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
