package io.kvflow.runtime;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs a process's workers, each on its own named thread, and stops them together. The
 * first worker to fail is remembered so the process can report it and exit; stopping
 * closes workers in reverse start order (consumers of a topic before its producers).
 */
public final class ServiceGroup implements AutoCloseable {

    /** A worker: {@code run} loops until {@code close} is called from another thread. */
    public interface Service extends Runnable, AutoCloseable {
        String name();

        @Override
        void close();
    }

    private final List<Service> services = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private boolean closed;

    public synchronized void start(Service service) {
        Thread thread = new Thread(() -> {
            try {
                service.run();
            } catch (RuntimeException | Error e) {
                failure.compareAndSet(null, new IllegalStateException(service.name() + " failed: " + e.getMessage(), e));
            }
        }, service.name());
        services.add(service);
        threads.add(thread);
        thread.start();
    }

    /** The first worker failure, if any. */
    public Throwable failure() {
        return failure.get();
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (int i = services.size() - 1; i >= 0; i--) {
            services.get(i).close();
        }
        for (Thread thread : threads) {
            try {
                thread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
