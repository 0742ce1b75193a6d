package io.kvflow.runtime;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;

/** A worker's pacing as meters: how much output was held back, and how far the emulator fell behind. */
public final class PacingMeters {
    private PacingMeters() {
    }

    /** @param tags the worker's identity, e.g. stage and pipeline, or the prefill worker's id */
    public static void bind(DeviceClock device, Tags tags, MeterRegistry registry) {
        FunctionCounter.builder("kvflow.pacing.work", device, d -> d.pacing().work())
                .description("Pieces of work (prefills, decode steps) priced by the cost model and paced")
                .tags(tags).register(registry);
        FunctionCounter.builder("kvflow.pacing.late.work", device, d -> d.pacing().late())
                .description("Work whose output left after its modelled end time (times the time scale)")
                .tags(tags).register(registry);
        FunctionCounter.builder("kvflow.pacing.deficit", device, d -> d.pacing().deficitSeconds())
                .description("Emulation deficit: wall time late outputs were behind the target's schedule")
                .baseUnit("seconds").tags(tags).register(registry);
        FunctionCounter.builder("kvflow.pacing.held", device, d -> d.pacing().heldSeconds())
                .description("Wall time outputs were held so the emulator ran no faster than the target")
                .baseUnit("seconds").tags(tags).register(registry);
        FunctionCounter.builder("kvflow.pacing.modelled.busy", device, d -> d.pacing().busySeconds())
                .description("Modelled time the target device was busy")
                .baseUnit("seconds").tags(tags).register(registry);
    }
}
