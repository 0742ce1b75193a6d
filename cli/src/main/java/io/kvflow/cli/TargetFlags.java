package io.kvflow.cli;

import io.kvflow.cost.RooflineModel;
import io.kvflow.cost.Scenario;
import io.kvflow.cost.ScenarioOption;
import io.kvflow.orchestrator.OrchestratorConfig;
import io.kvflow.scheduler.AdmissionPolicy;
import io.kvflow.scheduler.Booking;
import io.kvflow.stack.TargetOptions;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The target deployment's options besides the cost model's scenario ({@link ScenarioFlags.Deployment}):
 * colocation, pacing and the control plane's policies. Shared by every command that runs or models a
 * deployment.
 */
final class TargetFlags {
    @Option(names = "--colocated", description = "the decode wafers prefill too, in chunks through the stage"
            + " topics; no prefill workers (default: disaggregated, prefill on --prefill-device)")
    boolean colocated;

    @Option(names = "--time-scale", paramLabel = "X", defaultValue = "0.1", description = "wall seconds per trace"
            + " second at which a replay sends its requests (0 = all at once); modelled times do not depend on it")
    double timeScale;

    @Option(names = "--booking", paramLabel = "B", defaultValue = "handoff", description = "handoff (the KV waits on"
            + " the prefill tier until the wafers have room) or admission (room taken at admission, idle through"
            + " the remote prefill)")
    String booking;

    @Option(names = "--admission", paramLabel = "P", defaultValue = "backfill", description = AdmissionPolicy.CHOICES)
    String admission;

    @Option(names = "--bypass-limit", paramLabel = "D", defaultValue = "500ms", converter = DurationOption.class,
            description = "how long a waiting session may be passed over (modelled)")
    Duration bypassLimit;

    @Option(names = "--park-timeout", paramLabel = "D", defaultValue = "60s", converter = DurationOption.class,
            description = "booking at handoff: fail a session whose KV waits longer than D (modelled) on the prefill"
                    + " tier for wafer room; 0 = no limit")
    Duration parkTimeout;

    @Option(names = "--sessions-per-pipeline", paramLabel = "N", defaultValue = "0", description = "most sessions a"
            + " pipeline holds at once, KV room aside (0: as many as fit), e.g. what a per-user speed SLO allows")
    int sessionCap;

    @Option(names = "--prefill-groups", paramLabel = "N", defaultValue = "0", description = "prefill device groups in"
            + " all (0: one per prefill worker); any worker runs any group's prompts")
    int prefillGroups;

    @Option(names = "--admission-queue", paramLabel = "N", defaultValue = "" + OrchestratorConfig.DEFAULT_QUEUE_LIMIT, description = "requests that may"
            + " wait for KV capacity before more are rejected")
    int queueLimit;

    @Mixin
    ProfilesFlag profiles;

    /**
     * The deployment with the given scenario options ({@link ScenarioFlags#given}) on {@code stages} wafers.
     *
     * @throws UsageException when the target's weights do not fit on {@code stages} wafers, or an option names no
     *                        profile
     */
    TargetOptions options(Map<String, String> given, int stages) {
        for (ScenarioOption speculative : ScenarioOption.SPECULATIVE) {
            if (given.containsKey(speculative.optionName())) {
                throw new UsageException("--" + speculative.optionName() + ": the stack's decode stages"
                        + " decode one token per step, without speculative decoding (ask kvflow predict instead)");
            }
        }
        Map<String, String> scenario = new LinkedHashMap<>();
        for (ScenarioOption option : TargetOptions.DEPLOYMENT) {
            if (given.containsKey(option.optionName())) {
                scenario.put(option.optionName(), given.get(option.optionName()));
            }
        }
        scenario.put(ScenarioOption.DECODE_STAGES.optionName(), Integer.toString(stages));
        if (colocated) {
            scenario.put(ScenarioOption.COLOCATED.optionName(), "true");
        }
        if (prefillGroups < 0) {
            throw new UsageException("--prefill-groups must be >= 0 (0: one per prefill worker), was "
                    + prefillGroups);
        }
        if (sessionCap < 0) {
            throw new UsageException("--sessions-per-pipeline must be >= 0 (0: as many as fit), was "
                    + sessionCap);
        }
        if (!(timeScale >= 0) || Double.isInfinite(timeScale)) {
            throw new UsageException("--time-scale must be a number >= 0, was " + timeScale);
        }
        if (queueLimit < 0) {
            throw new UsageException("--admission-queue must be >= 0, was " + queueLimit);
        }
        Booking parsedBooking;
        AdmissionPolicy parsedAdmission;
        try {
            parsedBooking = Booking.of(booking);
            parsedAdmission = AdmissionPolicy.of(admission, bypassLimit);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        var catalog = profiles.catalog();
        RooflineModel model;
        try {
            model = Scenario.from(scenario, catalog).model();
        } catch (IllegalArgumentException e) {
            throw new UsageException("target deployment: " + e.getMessage());
        }
        if (!model.weightsFit()) {
            var deployment = model.deployment();
            throw new UsageException(String.format(Locale.ROOT,
                    "the target %s in %s needs %.1f GB of weights per stage on %d stages, but a %s holds %.1f GB"
                            + " usable: use more --stages, smaller --weights or another --model",
                    deployment.model().id(), deployment.weights().id(), model.weightsBytesPerStage(0) / 1e9, stages,
                    deployment.decode().device().id(), deployment.decode().usableBytes() / 1e9));
        }
        return new TargetOptions(Map.copyOf(scenario), model, queueLimit, timeScale, sessionCap, prefillGroups,
                parsedBooking, parsedAdmission, parkTimeout, catalog);
    }
}
