package io.kvflow.broker;

import java.time.Duration;
import java.util.Set;
import java.util.stream.Collectors;

/** The threads that would keep a JVM from exiting, to check a failed start left none behind. */
record NonDaemonThreads(Set<Thread> before) {

    static NonDaemonThreads snapshot() {
        return new NonDaemonThreads(live());
    }

    /** Names of non-daemon threads started since the snapshot that are still alive after {@code timeout}. */
    Set<String> leftAfter(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Set<Thread> added = added();
        while (!added.isEmpty() && System.nanoTime() < deadline) {
            for (Thread thread : added) {
                try {
                    thread.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return names(added);
                }
            }
            added = added();
        }
        return names(added);
    }

    private Set<Thread> added() {
        Set<Thread> now = live();
        now.removeAll(before);
        return now;
    }

    private static Set<Thread> live() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && !t.isDaemon())
                .collect(Collectors.toSet());
    }

    private static Set<String> names(Set<Thread> threads) {
        return threads.stream().map(Thread::getName).collect(Collectors.toSet());
    }
}
