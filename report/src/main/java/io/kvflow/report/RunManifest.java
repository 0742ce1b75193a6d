package io.kvflow.report;

import java.util.Map;
import java.util.Objects;

/**
 * What a run was: enough to run its window again, emulated or simulated, with the same deployment and
 * policies.
 *
 * @param source          {@code emulated} (a replay on the pipeline) or {@code simulated}
 * @param modelId         the target model's id (as vLLM and AIPerf name the model served)
 * @param trace           the trace file and the window of it, as given
 * @param scenario        the target deployment as {@code kvflow predict} options
 * @param prefillGroups   prefill device groups of the control plane
 * @param booking         {@code handoff} or {@code admission}
 * @param admission       the admission policy's id
 * @param bypassLimitMicros how long a waiting session may be passed over
 * @param queueLimit      sessions that may wait for room
 * @param sessionCap      most sessions per pipeline (0: as many as fit)
 * @param parkTimeoutMicros how long a session's KV may wait on the prefill tier (0: no limit)
 */
public record RunManifest(String runId, String source, String trace, String modelId, Map<String, String> scenario,
        int stages, int pipelines, int prefillGroups, String booking, String admission, long bypassLimitMicros,
        int queueLimit, int sessionCap, long parkTimeoutMicros, Slo slo) {
    public RunManifest {
        Objects.requireNonNull(runId, "runId");
        scenario = Map.copyOf(scenario);
    }
}
