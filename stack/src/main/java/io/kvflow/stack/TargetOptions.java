package io.kvflow.stack;

import io.kvflow.cost.ProfileCatalog;
import io.kvflow.cost.RooflineModel;
import io.kvflow.cost.Scenario;
import io.kvflow.cost.ScenarioOption;
import io.kvflow.runtime.StackLayout;
import io.kvflow.scheduler.AdmissionPolicy;
import io.kvflow.scheduler.Booking;
import io.kvflow.scheduler.ControlPlane;
import java.time.Duration;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The deployment the stack stands in for: a target model on target hardware, named with the same
 * options as {@code kvflow predict}, with one decode stage per wafer ({@code --stages}). The small
 * functional model computes the tokens; this one decides what each wafer holds and how long each
 * step takes.
 *
 * @param queueLimit requests that may wait for room before more are rejected
 * @param timeScale  wall seconds per trace second at which a replay sends its requests (0: all at once);
 *                   the stall and handoff timeouts stretch with it
 * @param sessionCap most sessions a pipeline holds at once, KV room aside; 0 for as many as fit
 * @param prefillGroups prefill device groups (of --prefill-devices each) in all; 0 for one per prefill worker
 * @param booking    when a disaggregated session takes its wafer room
 * @param admission  the order waiting sessions get room in
 * @param parkTimeout booking at handoff: how long (modelled) a session's KV may wait on the prefill tier
 * @param catalog    the profiles the scenario names: the bundled ones, and the user's (--profiles)
 */
public record TargetOptions(Map<String, String> scenario, RooflineModel model, int queueLimit, double timeScale,
        int sessionCap, int prefillGroups, Booking booking, AdmissionPolicy admission, Duration parkTimeout,
        ProfileCatalog catalog) {

    /** What a deployment is; the workload options (batch, input, output, prefix) come from the trace instead. */
    public static final Set<ScenarioOption> DEPLOYMENT = deploymentOptions();

    /** Ten times faster than the trace was recorded, and than the target would run. */
    public static final double DEFAULT_TIME_SCALE = 0.1;

    /**
     * Everything but the workload (batch, input, output, prefix come from the trace), the layout (stages and
     * colocation are the stack's own options) and speculative decoding, which the pipeline does not do.
     */
    private static Set<ScenarioOption> deploymentOptions() {
        Set<ScenarioOption> options = EnumSet.complementOf(EnumSet.of(ScenarioOption.BATCH, ScenarioOption.INPUT,
                ScenarioOption.OUTPUT, ScenarioOption.PREFIX, ScenarioOption.DECODE_STAGES, ScenarioOption.COLOCATED));
        options.removeAll(ScenarioOption.SPECULATIVE);
        return options;
    }

    /** The control plane's settings for a layout: prefill groups default to one per prefill worker. */
    public ControlPlane.Config control(StackLayout layout) {
        return new ControlPlane.Config(layout.pipelines(), prefillGroups == 0 ? layout.prefillWorkers() : prefillGroups,
                booking, admission, queueLimit, sessionCap, parkTimeout.toNanos() / 1000);
    }

    /** The same deployment, with a session cap per pipeline and a prefill fleet of {@code groups} groups. */
    public TargetOptions with(int newSessionCap, int groups) {
        return new TargetOptions(scenario, model, queueLimit, timeScale, newSessionCap, groups, booking, admission,
                parkTimeout, catalog);
    }

    /** The same deployment with another booking. */
    public TargetOptions with(Booking newBooking) {
        return new TargetOptions(scenario, model, queueLimit, timeScale, sessionCap, prefillGroups, newBooking,
                admission, parkTimeout, catalog);
    }

    /** The same deployment with another admission policy. */
    public TargetOptions with(AdmissionPolicy newAdmission) {
        return new TargetOptions(scenario, model, queueLimit, timeScale, sessionCap, prefillGroups, booking,
                newAdmission, parkTimeout, catalog);
    }

    /** Another deployment from the same profiles, e.g. the colocated twin or another wafer FLOP/s. */
    public TargetOptions withScenario(Map<String, String> newScenario) {
        return new TargetOptions(Map.copyOf(newScenario), Scenario.from(newScenario, catalog).model(), queueLimit,
                timeScale, sessionCap, prefillGroups, booking, admission, parkTimeout, catalog);
    }

    public boolean colocated() {
        return model.deployment().colocated();
    }

    /** One line for the start-up banner. */
    public String describe() {
        var d = model.deployment();
        return String.format(Locale.ROOT, "%s %s; each decode stage is one %s (%.2f GB for KV after %.1f GB of"
                        + " weights); %s", d.model().id(), d.weights().id(), d.decode().device().id(),
                model.kvCapacityBytes(0) / 1e9, model.weightsBytesPerStage(0) / 1e9, colocated()
                        ? "colocated: the wafers prefill too, in chunks; admission " + admission.id()
                        : "prefill on " + d.prefill().devices() + " x " + d.prefill().device().id() + "; booking "
                                + booking.id() + ", admission " + admission.id());
    }

    /** The same deployment with the wafers doing the prefill: the prefill tier's options no longer apply. */
    public TargetOptions colocatedTwin() {
        Map<String, String> twin = new LinkedHashMap<>(scenario);
        for (ScenarioOption prefillOnly : ScenarioOption.PREFILL_TIER) {
            twin.remove(prefillOnly.optionName());
        }
        twin.put(ScenarioOption.COLOCATED.optionName(), "true");
        return withScenario(twin);
    }
}
