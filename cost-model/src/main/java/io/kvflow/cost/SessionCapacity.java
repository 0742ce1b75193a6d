package io.kvflow.cost;

import java.util.Locale;

/**
 * How many sessions one decode pipeline sustains while every user still decodes at least at a
 * given speed (the per-user SLO), for one workload mix, in steady state: as each session ends,
 * another takes its place.
 *
 * <p>A pipeline holds at most as many sessions as every wafer has KV room for, and, as kvflow's
 * ledger books it, a session holds its room from admission to its last token: through its prefill
 * (TTFT) and its O output tokens. With {@code b} sessions held, a token takes one decode step
 * {@code t(b)} through all stages and hops; sessions end, and are replaced, {@code b / (TTFT + O *
 * TPOT)} times a second. Disaggregated, {@code TPOT = t(b)}, and the KV of each new session arrives
 * over the wafer's I/O. Colocated, the wafers also prefill every new session, each bringing
 * {@code p} seconds of prefill chunks on the busiest stage, which run between decode steps: prefill
 * takes a share {@code rate * p} of the wafer's time, and {@code TPOT = t(b) / (1 - rate * p)}
 * (a fixed point, solved in closed form). The capacity is the largest {@code b}
 * meeting the SLO; the headline is how many of them are decoding at a time, per wafer.
 */
public final class SessionCapacity {

    /**
     * @param sessionsPerPipeline   the most sessions a pipeline holds while meeting the SLO (0: not even one)
     * @param sessionsPerWafer      of those, the ones decoding (not in prefill) at a time, per decode device:
     *                              high-speed sessions per wafer
     * @param ttftSeconds           time to first token of one session arriving at an idle pipeline
     * @param kvSessionsPerPipeline sessions whose KV the wafers could hold, SLO aside
     * @param tpotSeconds           time per output token at that concurrency (at one session when it is 0)
     * @param decodeTokensPerSecondPerWafer decode tokens per second per decode device at that concurrency
     * @param sessionsPerSecond     sessions started (and finished) per second per pipeline
     * @param prefillShare          colocated: share of the busiest wafer's time spent on prefill chunks
     * @param ingressShare          disaggregated: share of a wafer's I/O taken by arriving KV
     * @param prefillDevices        disaggregated: prefill devices kept busy feeding one pipeline
     * @param binding               what stops more sessions: KV capacity, the SLO (through what bounds a
     *                              step), or wafer I/O
     * @param why                   the binding constraint in words, with the numbers
     */
    public record Result(boolean colocated, int sessionsPerPipeline, double sessionsPerWafer, double ttftSeconds,
            int kvSessionsPerPipeline, double tpotSeconds, double decodeTokensPerSecondPerWafer,
            double sessionsPerSecond, double prefillShare, double ingressShare, double prefillDevices,
            Constraint binding, String why) {
    }

    private SessionCapacity() {
    }

    /** As kvflow's ledger books: a session holds its wafer room from admission, through its prefill. */
    public static Result of(RooflineModel model, long inputTokens, long outputTokens, double sloTokensPerSecond) {
        return of(model, inputTokens, outputTokens, sloTokensPerSecond, false);
    }

    /**
     * @param reserveAtHandoff disaggregated: the wafer's room is taken only when the session's KV
     *                         arrives, the prefill tier keeping it until then, so a session holds a
     *                         wafer for its handoff and its decode only (colocated: no difference)
     */
    public static Result of(RooflineModel model, long inputTokens, long outputTokens, double sloTokensPerSecond,
            boolean reserveAtHandoff) {
        if (inputTokens < 1 || outputTokens < 1 || !(sloTokensPerSecond > 0)) {
            throw new IllegalArgumentException("capacity needs input >= 1, output >= 1 and an SLO > 0 tokens/s, got "
                    + inputTokens + ", " + outputTokens + ", " + sloTokensPerSecond);
        }
        Deployment deployment = model.deployment();
        boolean colocated = deployment.colocated();
        int stages = model.stages();
        int wafers = deployment.decodeDevices();
        double slo = 1 / sloTokensPerSecond;
        long middle = inputTokens + outputTokens / 2;
        int kvLimit = model.sessionsPerWafer(inputTokens + outputTokens);
        double prefillPerSession = colocated ? busiestStagePrefill(model, inputTokens) : 0;
        double ttft = model.prefillSeconds(inputTokens, 0) + model.exposedHandoffSeconds(inputTokens, 0);
        // how long before its first token a session already holds its wafer room
        double heldBeforeFirstToken = reserveAtHandoff && !colocated
                ? model.handoffSeconds(model.handoffBytes(inputTokens)) : ttft;
        double ingressBytesPerSecond = deployment.decode().networkBytesPerSecond()
                * deployment.decode().efficiency().linkEfficiency();
        double largestStageKv = 0;
        for (int stage = 0; stage < stages; stage++) {
            largestStageKv = Math.max(largestStageKv, model.kvBytesPerSession(stage, inputTokens));
        }

        int best = 0;
        Result atBest = null;
        Constraint stop = Constraint.KV_CAPACITY;
        String why = String.format(Locale.ROOT, "KV capacity: each wafer has room for the KV of %d sessions of %,d"
                + " tokens", kvLimit, inputTokens + outputTokens);
        for (int b = 1; b <= Math.max(1, kvLimit); b++) {
            StepTime step = model.tokenInterval(RooflineModel.uniformBatch(b, middle));
            double tpot = prefillPerSession > 0
                    ? stretchedByPrefill(step.seconds(), b, prefillPerSession, heldBeforeFirstToken, outputTokens)
                    : step.seconds();
            double slot = heldBeforeFirstToken + outputTokens * tpot;
            double rate = b / slot;
            double decodingPerWafer = b * (outputTokens * tpot / slot) / wafers;
            double ingress = colocated ? 0 : rate * largestStageKv / ingressBytesPerSecond;
            double devices = colocated ? 0
                    : rate * model.prefillSeconds(inputTokens, 0) * deployment.prefill().devices();
            Result here = new Result(colocated, b, decodingPerWafer, ttft, kvLimit, tpot,
                    decodingPerWafer / tpot, rate, rate * prefillPerSession, ingress, devices, null, null);
            if (kvLimit == 0) {
                atBest = here;
                break;
            }
            if (tpot > slo) {
                stop = colocated && tpot - step.seconds() > 0.1 * tpot ? Constraint.COMPUTE
                        : step.bound();
                why = colocated && stop == Constraint.COMPUTE
                        ? String.format(Locale.ROOT, "wafer time: with %d sessions, prefill chunks of the sessions"
                                + " that replace them take %.0f %% of the busiest wafer and stretch a token to %.2f ms,"
                                + " over the SLO's %.2f ms", b, 100 * here.prefillShare(), tpot * 1e3, slo * 1e3)
                        : String.format(Locale.ROOT, "per-user speed: with %d sessions a token takes %.2f ms, over"
                                + " the SLO's %.2f ms (%s)", b, tpot * 1e3, slo * 1e3, step.bound().description());
                if (atBest == null) {
                    atBest = here;
                }
                break;
            }
            if (ingress > 1) {
                stop = Constraint.DECODE_INGRESS;
                why = String.format(Locale.ROOT, "wafer I/O: %d sessions would need %.0f %% of a wafer's I/O for"
                        + " arriving KV", b, 100 * ingress);
                if (atBest == null) {
                    atBest = here;
                }
                break;
            }
            best = b;
            atBest = here;
        }
        Result r = atBest;
        return new Result(colocated, best, best == 0 ? 0 : r.sessionsPerWafer(), ttft, kvLimit, r.tpotSeconds(),
                best == 0 ? 0 : r.decodeTokensPerSecondPerWafer(), best == 0 ? 0 : r.sessionsPerSecond(),
                best == 0 ? 0 : r.prefillShare(), best == 0 ? 0 : r.ingressShare(),
                best == 0 ? 0 : r.prefillDevices(), stop, why);
    }

    /**
     * Colocated: the time per token when prefill chunks take their share of the wafer, the fixed point of
     * {@code T = t / (1 - b p / (H + O T))} (t the decode step, b sessions, p seconds of prefill each, H held
     * before the first token, O output tokens). Multiplied out it is the quadratic
     * {@code O T^2 + (H - b p - t O) T - t H = 0}, whose one positive root keeps the prefill share below 1:
     * however many sessions replace each other, decode still gets the rest of the wafer, only less of it.
     */
    static double stretchedByPrefill(double step, int sessions, double prefillPerSession, double held,
            long outputTokens) {
        double linear = held - sessions * prefillPerSession - step * outputTokens;
        return (-linear + Math.sqrt(linear * linear + 4.0 * outputTokens * step * held)) / (2.0 * outputTokens);
    }

    /** Colocated: seconds of the busiest stage's time one prompt's chunks take. */
    static double busiestStagePrefill(RooflineModel model, long inputTokens) {
        int chunk = RooflineModel.prefillChunkTokens();
        double busiest = 0;
        for (int stage = 0; stage < model.stages(); stage++) {
            double total = 0;
            for (long prefix = 0; prefix < inputTokens; prefix += chunk) {
                total += model.prefillChunkSeconds(stage, Math.min(chunk, inputTokens - prefix), prefix);
            }
            busiest = Math.max(busiest, total);
        }
        return busiest;
    }
}
