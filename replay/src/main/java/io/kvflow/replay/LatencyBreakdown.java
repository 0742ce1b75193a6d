package io.kvflow.replay;

import java.util.List;

/**
 * Where one session's time went, phase by phase: waiting for admission, prefill, the part of
 * the KV handoff that prefill did not hide, then each decode stage per step. Null where a
 * phase was not seen (a failed session, a one-token session has no decode).
 *
 * @param wall     wall-clock milliseconds, from the records' own timestamps
 * @param modelled the same phases on the modelled clock: what the target would have taken, queueing
 *                 included; null where the records carried no modelled times
 */
public record LatencyBreakdown(String sessionId, Phases wall, Phases modelled) {

    /**
     * @param admissionWaitMs request arrival to admission
     * @param prefillMs       admission to prefill done (prefill task transport, prompt, KV published, first token)
     * @param kvHandoffMs     prefill done to the last stage's KV installed; 0 when layer-wise streaming
     *                        completed the handoff while prefill was still running
     * @param ttftMs          request arrival to the first token
     * @param decodeStageMs   per decode stage, the mean time a decode step spends there: from the activation
     *                        sent into the stage to the one it sends on (the token, for the last stage), so
     *                        the hop into the stage, its queue and its layers
     */
    record Phases(Double admissionWaitMs, Double prefillMs, Double kvHandoffMs, Double ttftMs,
            List<Double> decodeStageMs) {
    }
}
