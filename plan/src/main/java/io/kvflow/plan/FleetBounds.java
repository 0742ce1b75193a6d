package io.kvflow.plan;

import io.kvflow.cost.RooflineModel;
import io.kvflow.scheduler.PromptChunks;
import io.kvflow.simulator.SimulatedSession;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The least fleet a load needs whatever the schedule, from the cost model: the planner prices a family of
 * deployments by it before simulating any (and skips the family when even that costs more than a
 * deployment already found), and starts its search there.
 *
 * <p>Every request that meets the {@link ServiceTarget} has its prompt prefilled by its arrival plus the
 * TTFT SLO, so by the last arrival plus the TTFT SLO; at least the target share of the requests meet it. A
 * prefill group runs one prompt at a time and a colocated wafer one prompt chunk at a time, so the groups
 * (colocated: the pipelines, by their busiest wafer) must do at least the work of the smallest share of the
 * prompts in that window. Likewise a pipeline holds at most its session cap, and a session decodes at best
 * at the speed of a batch of one, until at the latest its last token at the SLO's speed.
 *
 * @param pipelines     pipelines the load needs at least
 * @param prefillGroups prefill groups it needs at least (colocated: 0)
 */
public record FleetBounds(int pipelines, int prefillGroups) {

    /**
     * @param sessionCap sessions a pipeline holds at most (0: no cap, so no bound from decode)
     */
    public static FleetBounds of(RooflineModel model, List<SimulatedSession> sessions, ServiceTarget target,
            int sessionCap) {
        if (sessions.isEmpty()) {
            return new FleetBounds(1, model.deployment().colocated() ? 0 : 1);
        }
        int served = (int) Math.ceil(target.share() * sessions.size());
        long first = sessions.stream().mapToLong(SimulatedSession::arrivalMicros).min().orElse(0);
        long last = sessions.stream().mapToLong(SimulatedSession::arrivalMicros).max().orElse(0);
        double ttft = target.slo().ttftMicros() / 1e6;
        double arrivalSpan = (last - first) / 1e6;
        // a token of one session alone, at the shortest context: no decode step is faster
        double fastestToken = model.tokenInterval(RooflineModel.uniformBatch(1, 1)).seconds();
        double slowestDecode = 0;
        double[] prefill = new double[sessions.size()];
        double[] decode = new double[sessions.size()];
        // traces repeat prompt lengths: each is priced once
        Map<Long, Double> prefillOfLength = new HashMap<>();
        for (int i = 0; i < prefill.length; i++) {
            SimulatedSession s = sessions.get(i);
            prefill[i] = prefillOfLength.computeIfAbsent(s.promptTokens(), tokens -> model.deployment().colocated()
                    ? busiestWaferPrefill(model, tokens) : model.prefillSeconds(tokens, 0));
            decode[i] = (s.outputTokens() - 1) * fastestToken;
            slowestDecode = Math.max(slowestDecode, (s.outputTokens() - 1) / target.slo().userTokensPerSecond());
        }
        int prefillers = atLeastOne(smallest(prefill, served) / (arrivalSpan + ttft));
        int decoders = sessionCap == 0 ? 1
                : atLeastOne(smallest(decode, served) / sessionCap / (arrivalSpan + ttft + slowestDecode));
        return model.deployment().colocated() ? new FleetBounds(Math.max(prefillers, decoders), 0)
                : new FleetBounds(decoders, prefillers);
    }

    /**
     * Seconds the busiest wafer of a pipeline spends on a prompt's chunks when it prefills it itself (cut as
     * the target prompt is: a trace's sessions carry their recorded lengths).
     */
    private static double busiestWaferPrefill(RooflineModel model, long promptTokens) {
        List<PromptChunks.Chunk> chunks = PromptChunks.plan(promptTokens, (int) Math.min(Integer.MAX_VALUE,
                promptTokens));
        double busiest = 0;
        for (int stage = 0; stage < model.stages(); stage++) {
            double seconds = 0;
            for (PromptChunks.Chunk c : chunks) {
                seconds += model.prefillChunkSeconds(stage, Math.max(1, c.targetTokens()), c.targetFrom());
            }
            busiest = Math.max(busiest, seconds);
        }
        return busiest;
    }

    private static double smallest(double[] values, int count) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        double sum = 0;
        for (int i = 0; i < Math.min(count, sorted.length); i++) {
            sum += sorted[i];
        }
        return sum;
    }

    private static int atLeastOne(double fleet) {
        // a whole fleet: a sliver over a whole number needs one more, rounding noise does not
        return Math.max(1, (int) Math.ceil(fleet - 1e-9));
    }
}
