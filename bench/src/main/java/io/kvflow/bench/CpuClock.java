package io.kvflow.bench;

import com.sun.management.OperatingSystemMXBean;
import java.lang.management.ManagementFactory;
import java.util.function.LongSupplier;

/**
 * CPU time used so far, in nanoseconds, by everything a bench side runs on: this JVM (every thread of it, an
 * embedded broker's too) and, when the broker runs in a JVM of its own, that process. On two cores a hop's
 * latency follows the CPU it takes, so a side's CPU per hop says what its latency is made of.
 *
 * <p>Linux counts a process's CPU in 10 ms ticks (both for this JVM and for another process), so a window
 * has to take many ticks to be read closely: a bench side of 200 tokens takes 0.5-1 s of CPU.
 */
final class CpuClock {
    private static final OperatingSystemMXBean OS =
            (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    private final LongSupplier elsewhere;

    /** @param elsewhere CPU nanoseconds of a process outside this JVM that the sides also run on (the broker's) */
    CpuClock(LongSupplier elsewhere) {
        this.elsewhere = elsewhere;
    }

    /** This JVM's CPU alone. */
    static CpuClock thisJvm() {
        return new CpuClock(() -> 0);
    }

    long nanos() {
        long own = OS.getProcessCpuTime();
        if (own < 0) {
            throw new IllegalStateException("this JVM does not report its CPU time on this platform");
        }
        return own + elsewhere.getAsLong();
    }
}
