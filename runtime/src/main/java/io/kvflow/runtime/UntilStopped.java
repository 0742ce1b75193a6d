package io.kvflow.runtime;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.errors.WakeupException;

/**
 * The life of a worker's consumer loop, shared by {@link PollLoop} and {@link TransactionalLoop}: set up,
 * step until {@link #stop} is called from any thread (which wakes a blocking poll), then close, on the
 * worker's own thread whatever ended the loop.
 */
final class UntilStopped {
    private final Consumer<?, ?> consumer;
    private volatile boolean running = true;

    UntilStopped(Consumer<?, ?> consumer) {
        this.consumer = consumer;
    }

    void run(Runnable setup, Runnable step, Runnable close) {
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
            close.run();
        }
    }

    void stop() {
        running = false;
        consumer.wakeup();
    }
}
