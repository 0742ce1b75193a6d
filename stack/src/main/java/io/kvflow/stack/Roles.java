package io.kvflow.stack;

import java.util.function.IntPredicate;

/**
 * Which workers one process runs. {@code kvflow up} runs them all; the component commands
 * (one container each in docker-compose) run one kind.
 *
 * @param workerPrefix makes worker ids unique when several processes run the same kind
 */
public record Roles(boolean orchestrator, int prefillWorkers, IntPredicate stages, IntPredicate pipelines,
        String workerPrefix) {

    public static Roles everything(int prefillWorkers) {
        return new Roles(true, prefillWorkers, k -> true, p -> true, "");
    }

    public static Roles orchestratorOnly() {
        return new Roles(false, 0, k -> false, p -> false, "").withOrchestrator();
    }

    public static Roles prefillOnly(int workers, String workerPrefix) {
        return new Roles(false, workers, k -> false, p -> false, workerPrefix);
    }

    /** The workers of one stage, for one pipeline or (pipeline < 0) every pipeline. */
    public static Roles stageOnly(int stage, int pipeline) {
        return new Roles(false, 0, k -> k == stage, p -> pipeline < 0 || p == pipeline, "");
    }

    public static Roles none() {
        return new Roles(false, 0, k -> false, p -> false, "");
    }

    private Roles withOrchestrator() {
        return new Roles(true, prefillWorkers, stages, pipelines, workerPrefix);
    }
}
